//! Every string the app shows, in one place: the kiosk's and the shared
//! chrome's in English, Bahasa Indonesia and Arabic (this file, one table);
//! the kitchen's in [`kitchen`] and the kiosk's staff area's in [`staff`]
//! (English: staff read those).
//!
//! Components never hold text: they ask [`Lang::text`] for a [`Key`], or
//! [`Lang::fill`] for a template with one `{}` (aria-labels that name a
//! dish). Menu names come from the server with their own translations;
//! [`localized`] picks the right one.

pub mod kitchen;
pub mod staff;

use ticketrail_protocol::master::Translations;

/// A language the kiosk speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// English, the default and the fallback for untranslated menu names.
    #[default]
    En,
    /// Bahasa Indonesia.
    Id,
    /// Arabic, written right to left.
    Ar,
}

impl Lang {
    /// Every language, in the order the switch shows them.
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Id, Lang::Ar];

    /// BCP 47 tag: `<html lang>`, `data-lang` and the key of a menu
    /// translation.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Id => "id",
            Lang::Ar => "ar",
        }
    }

    /// Writing direction for `<html dir>`.
    pub fn dir(self) -> &'static str {
        match self {
            Lang::Ar => "rtl",
            Lang::En | Lang::Id => "ltr",
        }
    }

    /// The language's name in itself, as the switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Id => "Bahasa Indonesia",
            Lang::Ar => "العربية",
        }
    }

    /// The text of `key` in this language.
    pub fn text(self, key: Key) -> &'static str {
        let [en, id, ar] = table(key);
        match self {
            Lang::En => en,
            Lang::Id => id,
            Lang::Ar => ar,
        }
    }

    /// The text of a template `key` with its `{}` replaced by `value`.
    pub fn fill(self, key: Key, value: &str) -> String {
        self.text(key).replacen("{}", value, 1)
    }
}

/// `name` in `lang`: its translation when there is a non-blank one, else
/// the English `name` the server always has.
pub fn localized<'a>(lang: Lang, name: &'a str, translations: &'a Translations) -> &'a str {
    translations
        .get(lang.code())
        .map(String::as_str)
        .filter(|text| !text.trim().is_empty())
        .unwrap_or(name)
}

/// Declares [`Key`], its test list `Key::ALL` and the table from one list, so a key
/// can't exist without its three texts or be missing from `ALL`.
macro_rules! texts {
    ($( $(#[$doc:meta])* $key:ident => [$en:expr, $id:expr, $ar:expr $(,)?], )*) => {
        /// A piece of UI text. Keys whose doc says "template" hold one `{}`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key {
            $( $(#[$doc])* $key, )*
        }

        impl Key {
            /// Every key, so a test can check the whole table.
            #[cfg(test)]
            const ALL: &'static [Key] = &[$(Key::$key),*];
        }

        /// `[English, Bahasa Indonesia, Arabic]` for `key`.
        fn table(key: Key) -> [&'static str; 3] {
            match key {
                $( Key::$key => [$en, $id, $ar], )*
            }
        }
    };
}

// The kiosk's and the shared chrome's texts: `[English, Bahasa Indonesia,
// Arabic]`.
texts! {
    /// The kiosk's label in the top bar.
    KioskLabel => ["Order here", "Pesan di sini", "اطلب هنا"],
    /// The kitchen display's label in the top bar.
    KitchenLabel => ["Kitchen display", "Layar dapur", "شاشة المطبخ"],
    /// aria-label of the language switch.
    Language => ["Language", "Bahasa", "اللغة"],
    /// Attract screen headline.
    Welcome => ["Hungry? Order here.", "Lapar? Pesan di sini.", "جائع؟ اطلب من هنا."],
    /// Attract screen lead.
    AttractLead => [
        "Order at your own pace and we'll call your number when it's ready.",
        "Pesan dengan santai, kami akan memanggil nomor Anda saat pesanan siap.",
        "اطلب على راحتك وسننادي رقمك عندما يصبح طلبك جاهزًا.",
    ],
    /// The attract screen's big button.
    TapToOrder => ["Tap to order", "Sentuh untuk memesan", "المس للطلب"],
    /// Heading over the running promotions on the attract screen.
    TodaysOffers => ["Today's offers", "Promo hari ini", "عروض اليوم"],
    /// aria-label of the category rail.
    Categories => ["Menu categories", "Kategori menu", "أقسام القائمة"],
    /// Shown while the menu downloads.
    MenuLoading => ["Loading the menu…", "Memuat menu…", "جارٍ تحميل القائمة…"],
    /// Heading when the menu cannot be loaded.
    MenuUnavailableTitle => [
        "The menu isn't available right now",
        "Menu belum dapat ditampilkan",
        "القائمة غير متاحة حاليًا",
    ],
    /// Explanation when the menu cannot be loaded.
    MenuUnavailableBody => [
        "This screen can't reach the restaurant's system. Please try again in a moment or ask our staff for help.",
        "Layar ini tidak dapat terhubung ke sistem restoran. Silakan coba lagi sebentar lagi atau minta bantuan staf kami.",
        "لا تستطيع هذه الشاشة الاتصال بنظام المطعم. يرجى المحاولة بعد قليل أو طلب المساعدة من موظفينا.",
    ],
    /// A category without orderable dishes.
    EmptyCategory => [
        "Nothing here right now. Have a look at another category.",
        "Belum ada menu di sini. Silakan lihat kategori lain.",
        "لا يوجد شيء هنا الآن. ألقِ نظرة على قسم آخر.",
    ],
    /// Template: aria-label of a product card, `{}` = name and price.
    AddDish => ["Add {}", "Tambah {}", "أضف {}"],
    /// Heading of the cart.
    YourOrder => ["Your order", "Pesanan Anda", "طلبك"],
    /// Empty cart heading.
    CartEmpty => ["Your order is empty", "Pesanan Anda masih kosong", "طلبك فارغ"],
    /// Empty cart hint.
    CartEmptyHint => [
        "Tap a dish to add it.",
        "Sentuh menu untuk menambahkannya.",
        "المس أي طبق لإضافته.",
    ],
    /// Template: aria-label of the quantity "+", `{}` = dish.
    IncreaseQuantity => ["Increase quantity of {}", "Tambah jumlah {}", "زيادة كمية {}"],
    /// Template: aria-label of the quantity "−", `{}` = dish.
    DecreaseQuantity => ["Decrease quantity of {}", "Kurangi jumlah {}", "تقليل كمية {}"],
    /// Template: aria-label of the remove button, `{}` = dish.
    RemoveDish => ["Remove {}", "Hapus {}", "إزالة {}"],
    /// Template: aria-label of a quantity, `{}` = the number.
    QuantityOf => ["Quantity {}", "Jumlah {}", "الكمية {}"],
    /// Template: aria-label of a line's note field, `{}` = dish.
    NoteFor => ["Note for the kitchen: {}", "Catatan untuk dapur: {}", "ملاحظة للمطبخ: {}"],
    /// Placeholder of a line's note field.
    NotePlaceholder => ["Add a note", "Tambah catatan", "أضف ملاحظة"],
    /// A cart line whose dish left the menu.
    NoLongerAvailable => [
        "No longer available. Please remove it.",
        "Sudah tidak tersedia. Silakan hapus.",
        "لم يعد متاحًا. يرجى إزالته.",
    ],
    /// Label of the cart total.
    Total => ["Total", "Total", "المجموع"],
    /// The place-order button.
    PlaceOrder => ["Place order", "Pesan sekarang", "أرسل الطلب"],
    /// The place-order button while sending.
    Sending => ["Sending your order…", "Mengirim pesanan…", "جارٍ إرسال طلبك…"],
    /// Clears the cart and goes back to the attract screen.
    StartOver => ["Start over", "Mulai ulang", "ابدأ من جديد"],
    /// The cart cannot be totalled (mixed currencies, overflow).
    CannotTotal => [
        "We can't total this order here. Please ask our staff.",
        "Total pesanan tidak dapat dihitung di sini. Silakan minta bantuan staf kami.",
        "لا يمكننا حساب مجموع هذا الطلب هنا. يرجى سؤال موظفينا.",
    ],
    /// The order could not even be saved on this screen.
    OrderNotSaved => [
        "We couldn't save your order on this screen. Please ask our staff.",
        "Pesanan Anda tidak dapat disimpan di layar ini. Silakan minta bantuan staf kami.",
        "تعذّر حفظ طلبك على هذه الشاشة. يرجى سؤال موظفينا.",
    ],
    /// The order is queued on the kiosk, not yet at the kitchen.
    DeliveryQueued => [
        "Queued, will send when back online",
        "Dalam antrean, akan dikirim saat kembali online",
        "في قائمة الانتظار، سيُرسل عند عودة الاتصال",
    ],
    /// The server has the order.
    DeliverySent => ["Sent to kitchen", "Terkirim ke dapur", "أُرسل إلى المطبخ"],
    /// The server refused the queued order.
    DeliveryRejected => [
        "The kitchen couldn't accept this order. Please ask our staff",
        "Dapur tidak dapat menerima pesanan ini. Silakan minta bantuan staf kami",
        "لم يتمكن المطبخ من قبول هذا الطلب. يرجى سؤال موظفينا",
    ],
    /// Top bar: orders queued on this kiosk, not yet sent ({} = how many).
    OrdersWaiting => [
        "{} waiting to send",
        "{} menunggu dikirim",
        "{} بانتظار الإرسال",
    ],
    /// Retry button.
    TryAgain => ["Try again", "Coba lagi", "حاول مرة أخرى"],
    /// Confirmation headline.
    ThankYou => ["Thank you!", "Terima kasih!", "شكرًا لك!"],
    /// Over the order number.
    YourNumber => ["Your order number", "Nomor pesanan Anda", "رقم طلبك"],
    /// Under the order number.
    CallYourNumber => [
        "We'll call your number when it's ready.",
        "Kami akan memanggil nomor Anda saat pesanan siap.",
        "سننادي رقمك عندما يصبح طلبك جاهزًا.",
    ],
    /// Status: pending.
    StatusPending => ["Order received", "Pesanan diterima", "تم استلام الطلب"],
    /// Status: preparing.
    StatusPreparing => ["Being prepared", "Sedang disiapkan", "قيد التحضير"],
    /// Status: ready.
    StatusReady => ["Ready for pick-up!", "Siap diambil!", "جاهز للاستلام!"],
    /// Status: completed.
    StatusCompleted => ["Collected. Enjoy your meal!", "Sudah diambil. Selamat menikmati!", "تم الاستلام. بالهناء والشفاء!"],
    /// Status: cancelled.
    StatusCancelled => [
        "Cancelled. Please see our staff.",
        "Dibatalkan. Silakan temui staf kami.",
        "أُلغي الطلب. يرجى مراجعة موظفينا.",
    ],
    /// Progress step 1.
    StepReceived => ["Received", "Diterima", "تم الاستلام"],
    /// Progress step 2.
    StepPreparing => ["Preparing", "Disiapkan", "قيد التحضير"],
    /// Progress step 3.
    StepReady => ["Ready", "Siap", "جاهز"],
    /// Button on the confirmation screen.
    NewOrder => ["Start a new order", "Buat pesanan baru", "ابدأ طلبًا جديدًا"],
    /// Idle warning headline.
    StillThere => ["Are you still there?", "Anda masih di sana?", "هل ما زلت هنا؟"],
    /// Template: idle warning body, `{}` = seconds left.
    ClearingIn => [
        "Your order will be cleared in {} s.",
        "Pesanan Anda akan dihapus dalam {} detik.",
        "سيُحذف طلبك خلال {} ث.",
    ],
    /// Idle warning button.
    KeepOrdering => ["I'm still here", "Saya masih di sini", "ما زلت هنا"],
    /// The first download of the menu, over its progress bar.
    MenuDownloading => [
        "Getting the menu ready…",
        "Menyiapkan menu…",
        "جارٍ تجهيز القائمة…",
    ],
    /// Under the first download's title.
    MenuDownloadingHint => [
        "This screen is downloading the menu. It only takes a moment.",
        "Layar ini sedang mengunduh menu. Hanya sebentar.",
        "تقوم هذه الشاشة بتنزيل القائمة. لن يستغرق ذلك سوى لحظة.",
    ],
    /// Template: items received so far, `{}` = the count.
    ItemsDownloaded => ["{} items", "{} item", "{} عنصر"],
    /// A sync of a menu already on screen.
    MenuUpdating => ["Updating the menu", "Memperbarui menu", "جارٍ تحديث القائمة"],
    /// The last sync succeeded.
    MenuUpToDate => ["Menu up to date", "Menu sudah terbaru", "القائمة محدّثة"],
    /// The last sync succeeded but the live feed is away, so a change may
    /// be missed.
    MenuSavedReconnecting => [
        "Saved menu · reconnecting",
        "Menu tersimpan · menyambung ulang",
        "القائمة المحفوظة · جارٍ إعادة الاتصال",
    ],
    /// The last sync failed; the stored menu is on screen.
    MenuSaved => [
        "Showing the saved menu",
        "Menampilkan menu tersimpan",
        "عرض القائمة المحفوظة",
    ],
    /// Label and placeholder of the search field.
    SearchMenu => ["Search the menu", "Cari menu", "ابحث في القائمة"],
    /// The button that empties the search field.
    ClearSearch => ["Clear search", "Hapus pencarian", "مسح البحث"],
    /// Template: heading over search results, `{}` = the query.
    ResultsFor => ["Results for “{}”", "Hasil untuk “{}”", "نتائج «{}»"],
    /// Template: a search without results, `{}` = the query.
    NoResults => [
        "No dishes match “{}”. Try another word.",
        "Tidak ada menu yang cocok dengan “{}”. Coba kata lain.",
        "لا توجد أطباق تطابق «{}». جرّب كلمة أخرى.",
    ],
    /// Template: results not shown, `{}` = how many.
    MoreResults => [
        "{} more: keep typing to narrow it down.",
        "{} lainnya: ketik lagi untuk mempersempit.",
        "{} أخرى: تابع الكتابة لتضييق النتائج.",
    ],
    /// Heading of the notice when the menu changed under the cart.
    OrderUpdated => ["We updated your order", "Pesanan Anda kami perbarui", "قمنا بتحديث طلبك"],
    /// After a dish's name: it left the menu and the cart.
    RemovedFromOrder => [
        "is no longer available and was removed.",
        "sudah tidak tersedia dan telah dihapus.",
        "لم يعد متاحًا وتمت إزالته.",
    ],
    /// Template: after a dish's name, its new price, `{}` = the price.
    NowCosts => ["now costs {}.", "kini seharga {}.", "أصبح سعره {}."],
    /// Closes a notice.
    GotIt => ["OK", "Oke", "حسنًا"],
    /// The server's total differs from the one the kiosk showed.
    PriceChanged => ["The price changed", "Harga berubah", "تغيّر السعر"],
    /// Template: the server's total, `{}` = the amount.
    PriceChangedTotal => [
        "The menu changed while you ordered. Your total is {}.",
        "Menu berubah saat Anda memesan. Total Anda {}.",
        "تغيّرت القائمة أثناء طلبك. المجموع هو {}.",
    ],
    /// Template: the total the kiosk had shown, `{}` = the amount.
    ScreenShowed => ["This screen showed {}.", "Layar ini menampilkan {}.", "كانت الشاشة تعرض {}."],
    /// Heading of the dialog when prices changed just before sending.
    PriceConfirmTitle => ["Your total has changed", "Total Anda berubah", "تغيّر مجموع طلبك"],
    /// Under that heading.
    PriceConfirmBody => [
        "Menu prices changed while you were ordering. Please check your new total before we send your order.",
        "Harga menu berubah saat Anda memesan. Silakan periksa total baru sebelum pesanan kami kirim.",
        "تغيّرت أسعار القائمة أثناء طلبك. يرجى مراجعة المجموع الجديد قبل أن نرسل طلبك.",
    ],
    /// Label of the new total in that dialog.
    NewTotal => ["New total", "Total baru", "المجموع الجديد"],
    /// Template: an amount shown before, `{}` = the amount.
    WasAmount => ["was {}", "sebelumnya {}", "كان {}"],
    /// A line of that dialog whose dish left the menu.
    NotIncluded => [
        "No longer available, not included",
        "Tidak tersedia, tidak disertakan",
        "لم يعد متاحًا، ولن يُضاف",
    ],
    /// Template: the dialog's accept button, `{}` = the new total.
    PlaceOrderFor => ["Place order for {}", "Pesan seharga {}", "أرسل الطلب بمبلغ {}"],
    /// The dialog's way back to the cart.
    BackToOrder => ["Back to my order", "Kembali ke pesanan", "العودة إلى طلبي"],
    /// The not-found page's headline.
    NotFoundTitle => [
        "This page doesn't exist",
        "Halaman ini tidak ada",
        "هذه الصفحة غير موجودة",
    ],
    /// The not-found page's lead.
    NotFoundLead => [
        "Pick the screen this device should show.",
        "Pilih layar yang harus ditampilkan perangkat ini.",
        "اختر الشاشة التي يجب أن يعرضها هذا الجهاز.",
    ],
    /// aria-label of the not-found page's choice of screens.
    Screens => ["Screens", "Layar", "الشاشات"],
    /// The not-found page's link to the kiosk.
    SelfOrderKiosk => ["Self-order kiosk", "Kios pesan mandiri", "كشك الطلب الذاتي"],
    /// The stored menu was rebuilt at start.
    StorageRebuilt => [
        "This screen's saved menu had to be reset, so it is being downloaded again.",
        "Menu tersimpan di layar ini perlu diatur ulang, jadi sedang diunduh kembali.",
        "كان لا بد من إعادة ضبط القائمة المحفوظة على هذه الشاشة، لذا يجري تنزيلها من جديد.",
    ],
    /// IndexedDB is unusable: memory only.
    StorageUnavailable => [
        "This screen can't save the menu, so it needs the network to show it.",
        "Layar ini tidak dapat menyimpan menu, jadi memerlukan jaringan untuk menampilkannya.",
        "لا تستطيع هذه الشاشة حفظ القائمة، لذا تحتاج إلى الشبكة لعرضها.",
    ],
    /// Closes a notice (its aria-label).
    Dismiss => ["Dismiss", "Tutup", "إغلاق"],
    /// The pairing page's heading.
    PairTitle => ["Pair this screen", "Pasangkan layar ini", "اربط هذه الشاشة"],
    /// What pairing is and where the code comes from.
    PairLead => [
        "Ask a manager for a pairing code: they make one for this screen in the back office. A code works once, for 10 minutes.",
        "Minta kode pemasangan kepada manajer: mereka membuatnya untuk layar ini di back office. Kode hanya berlaku sekali, selama 10 menit.",
        "اطلب رمز الربط من المدير: يُنشئه لهذه الشاشة في المكتب الخلفي. يعمل الرمز مرة واحدة لمدة 10 دقائق.",
    ],
    /// The pairing page opened over plain HTTP on another machine.
    InsecureAddress => [
        "This address is not secure (http://), so this screen cannot keep orders or the menu while the network is down. Open it at the outlet's https:// address instead.",
        "Alamat ini tidak aman (http://), sehingga layar ini tidak dapat menyimpan pesanan atau menu saat jaringan terputus. Buka layar ini di alamat https:// outlet.",
        "هذا العنوان غير آمن (http://)، لذا لا تستطيع هذه الشاشة حفظ الطلبات أو القائمة عند انقطاع الشبكة. افتحها على عنوان https:// الخاص بالفرع بدلًا من ذلك.",
    ],
    /// Label of the code field.
    PairCode => ["Pairing code", "Kode pemasangan", "رمز الربط"],
    /// The pair button.
    PairButton => ["Pair", "Pasangkan", "اربط"],
    /// The pair button while the request runs.
    Pairing => ["Pairing…", "Memasangkan…", "جارٍ الربط…"],
    /// Pairing worked; the screen reloads as what it was paired as.
    Paired => ["Paired. Opening…", "Terpasang. Membuka…", "تم الربط. جارٍ الفتح…"],
    /// The code was used, expired or never existed.
    PairCodeRefused => [
        "That code did not work: it may be used already, expired or mistyped. Ask for a new one.",
        "Kode itu tidak berhasil: mungkin sudah dipakai, kedaluwarsa, atau salah ketik. Minta kode baru.",
        "لم يعمل هذا الرمز: ربما استُخدم من قبل أو انتهت صلاحيته أو كُتب خطأ. اطلب رمزًا جديدًا.",
    ],
    /// Too many tries from this device.
    PairTooMany => [
        "Too many tries. Wait a minute, then try again.",
        "Terlalu banyak percobaan. Tunggu satu menit, lalu coba lagi.",
        "محاولات كثيرة جدًا. انتظر دقيقة ثم حاول مرة أخرى.",
    ],
    /// The server could not be reached while pairing.
    PairUnreachable => [
        "Can't reach the outlet server. Check that this screen is on the restaurant's network.",
        "Tidak dapat menjangkau server outlet. Pastikan layar ini terhubung ke jaringan restoran.",
        "تعذّر الوصول إلى خادم الفرع. تأكد من أن هذه الشاشة متصلة بشبكة المطعم.",
    ],
    /// Pairing failed for another reason (the server's words follow).
    PairFailed => [
        "Pairing failed:",
        "Pemasangan gagal:",
        "فشل الربط:",
    ],
    /// The first-run page's heading.
    SetupTitle => ["Set up Ticketrail", "Siapkan Ticketrail", "إعداد Ticketrail"],
    /// What it does.
    SetupLead => [
        "Create the owner's sign-in and the first outlet. The setup code is the one the server printed when it started; it works once.",
        "Buat akun masuk pemilik dan outlet pertama. Kode penyiapan adalah kode yang dicetak server saat mulai; kode ini hanya berlaku sekali.",
        "أنشئ حساب دخول المالك والفرع الأول. رمز الإعداد هو الذي طبعه الخادم عند بدئه، ويعمل مرة واحدة.",
    ],
    /// Label of the setup code field.
    SetupCode => ["Setup code", "Kode penyiapan", "رمز الإعداد"],
    /// Label of the owner's username.
    OwnerUsername => ["Owner's username", "Nama pengguna pemilik", "اسم مستخدم المالك"],
    /// Label of the owner's password.
    OwnerPassword => [
        "Owner's password (at least 8 characters)",
        "Kata sandi pemilik (minimal 8 karakter)",
        "كلمة مرور المالك (8 أحرف على الأقل)",
    ],
    /// Label of the outlet's name.
    OutletName => ["Outlet name", "Nama outlet", "اسم الفرع"],
    /// Label of the outlet's time zone.
    OutletTimezone => [
        "Time zone (as Asia/Jakarta)",
        "Zona waktu (seperti Asia/Jakarta)",
        "المنطقة الزمنية (مثل Asia/Jakarta)",
    ],
    /// Label of the outlet's currency.
    OutletCurrency => ["Currency (as IDR)", "Mata uang (seperti IDR)", "العملة (مثل IDR)"],
    /// The setup button.
    SetupButton => ["Set up", "Siapkan", "إعداد"],
    /// While setting up.
    SettingUp => ["Setting up…", "Menyiapkan…", "جارٍ الإعداد…"],
    /// Setup is done.
    SetupDone => [
        "Ticketrail is set up. Now pair the first screens: make a code for each, then open its link on that screen (or type the code there).",
        "Ticketrail sudah siap. Sekarang pasangkan layar pertama: buat kode untuk masing-masing, lalu buka tautannya di layar itu (atau ketik kodenya di sana).",
        "تم إعداد Ticketrail. الآن اربط الشاشات الأولى: أنشئ رمزًا لكل شاشة ثم افتح رابطه عليها (أو اكتب الرمز هناك).",
    ],
    /// Makes a kiosk pairing code.
    MakeKioskCode => ["Pair a kiosk", "Pasangkan kios", "اربط كشكًا"],
    /// Makes a kitchen pairing code.
    MakeKitchenCode => ["Pair a kitchen screen", "Pasangkan layar dapur", "اربط شاشة مطبخ"],
    /// The code was wrong.
    SetupCodeRefused => [
        "That setup code is not the one the server printed. Check it and try again.",
        "Kode penyiapan itu bukan yang dicetak server. Periksa lalu coba lagi.",
        "رمز الإعداد هذا ليس الذي طبعه الخادم. تحقق منه وحاول مرة أخرى.",
    ],
    /// The server was set up already.
    SetupAlready => [
        "This server is set up already. Sign in to the back office instead.",
        "Server ini sudah disiapkan. Silakan masuk ke back office.",
        "هذا الخادم مُعدّ مسبقًا. سجّل الدخول إلى المكتب الخلفي بدلًا من ذلك.",
    ],
    /// Setup failed for another reason (the server's words follow).
    SetupFailed => ["Setup failed:", "Penyiapan gagal:", "فشل الإعداد:"],
    /// The server stopped accepting this screen.
    UnpairedTitle => [
        "This screen was unpaired",
        "Layar ini sudah tidak terpasang",
        "أُلغي ربط هذه الشاشة",
    ],
    /// What that means and what to do.
    UnpairedLead => [
        "The outlet server no longer accepts this screen. Orders already taken here are kept and will be sent once it is paired again. Ask a manager for a new pairing code.",
        "Server outlet tidak lagi menerima layar ini. Pesanan yang sudah diterima di sini tetap disimpan dan akan dikirim setelah layar dipasangkan lagi. Minta kode pemasangan baru kepada manajer.",
        "لم يعد خادم الفرع يقبل هذه الشاشة. الطلبات المأخوذة هنا محفوظة وستُرسل بعد إعادة الربط. اطلب من المدير رمز ربط جديدًا.",
    ],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys whose text holds a `{}` for [`Lang::fill`].
    fn is_template(key: Key) -> bool {
        matches!(
            key,
            Key::AddDish
                | Key::IncreaseQuantity
                | Key::DecreaseQuantity
                | Key::RemoveDish
                | Key::QuantityOf
                | Key::NoteFor
                | Key::ClearingIn
                | Key::ItemsDownloaded
                | Key::ResultsFor
                | Key::NoResults
                | Key::MoreResults
                | Key::NowCosts
                | Key::PriceChangedTotal
                | Key::ScreenShowed
                | Key::WasAmount
                | Key::PlaceOrderFor
                | Key::OrdersWaiting
        )
    }

    #[test]
    fn no_text_is_blank_in_any_language() {
        for &key in Key::ALL {
            for lang in Lang::ALL {
                assert!(!lang.text(key).trim().is_empty(), "{key:?} in {lang:?}");
            }
        }
    }

    #[test]
    fn templates_hold_exactly_one_slot_and_other_texts_none() {
        for &key in Key::ALL {
            for lang in Lang::ALL {
                let slots = lang.text(key).matches("{}").count();
                let want = usize::from(is_template(key));
                assert_eq!(slots, want, "{key:?} in {lang:?}");
            }
        }
    }

    #[test]
    fn translations_differ_from_english_where_the_languages_differ() {
        // A copy-pasted English string in the Arabic column is a bug an
        // English reader would not notice on screen.
        for &key in Key::ALL {
            assert_ne!(Lang::Ar.text(key), Lang::En.text(key), "{key:?}");
        }
    }

    #[test]
    fn fill_replaces_the_slot() {
        assert_eq!(
            Lang::En.fill(Key::AddDish, "Nasi Goreng"),
            "Add Nasi Goreng"
        );
        assert_eq!(Lang::Ar.fill(Key::RemoveDish, "شاي"), "إزالة شاي");
    }

    #[test]
    fn languages_have_distinct_codes_and_only_arabic_is_rtl() {
        let codes: Vec<&str> = Lang::ALL.iter().map(|lang| lang.code()).collect();
        assert_eq!(codes, ["en", "id", "ar"]);
        for lang in Lang::ALL {
            assert_eq!(lang.dir() == "rtl", lang == Lang::Ar);
            assert!(!lang.native_name().is_empty());
        }
        assert_eq!(Lang::default(), Lang::En);
    }

    #[test]
    fn localized_names_fall_back_to_english() {
        let translations = Translations::from([
            ("id".to_owned(), "Nasi Goreng".to_owned()),
            ("ar".to_owned(), "  ".to_owned()),
        ]);
        assert_eq!(
            localized(Lang::Id, "Fried Rice", &translations),
            "Nasi Goreng"
        );
        assert_eq!(
            localized(Lang::Ar, "Fried Rice", &translations),
            "Fried Rice"
        );
        assert_eq!(
            localized(Lang::En, "Fried Rice", &translations),
            "Fried Rice"
        );
        assert_eq!(localized(Lang::Id, "Tea", &Translations::new()), "Tea");
    }
}
