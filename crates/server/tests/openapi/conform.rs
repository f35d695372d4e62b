//! Whether a JSON value the server sent matches a schema of the OpenAPI
//! document: the subset of JSON Schema the document uses (`$ref`, `type`,
//! `format: date-time`, `enum`, `required`, `properties`, `items`,
//! `additionalProperties`, `oneOf`, `allOf`), strict about keys, so an
//! answer with a field the document does not declare fails too.

use std::collections::BTreeSet;

use oas3::spec::{ObjectOrReference, ObjectSchema, Schema, SchemaType as Type};
use oas3::Spec;
use serde_json::Value;

/// Every way `value` (at `at`) breaks `schema`; empty when it matches.
pub fn mismatches(
    spec: &Spec,
    schema: &ObjectOrReference<ObjectSchema>,
    value: &Value,
    at: &str,
) -> Vec<String> {
    let schema = match schema.resolve(spec) {
        Ok(schema) => schema,
        Err(error) => return vec![format!("{at}: unresolvable schema: {error}")],
    };
    if !schema.one_of.is_empty() {
        let fits = schema
            .one_of
            .iter()
            .filter(|branch| mismatches(spec, branch, value, at).is_empty())
            .count();
        if fits != 1 {
            return vec![format!("{at}: fits {fits} branches of a oneOf: {value}")];
        }
        return Vec::new();
    }
    let mut found: Vec<String> = schema
        .all_of
        .iter()
        .flat_map(|part| loose(spec, part, value, at))
        .collect();
    found.extend(own_mismatches(spec, &schema, value, at));
    if let Value::Object(map) = value {
        let declared = declared(spec, &schema);
        let open = schema.additional_properties.is_some();
        for key in map.keys() {
            if !open && !declared.contains(key) {
                found.push(format!("{at}.{key}: not in the schema"));
            }
        }
    }
    found
}

/// [`mismatches`] of one `allOf` part, without the unknown-key check (the
/// other parts declare the rest).
fn loose(
    spec: &Spec,
    part: &ObjectOrReference<ObjectSchema>,
    value: &Value,
    at: &str,
) -> Vec<String> {
    match part.resolve(spec) {
        Ok(part) => own_mismatches(spec, &part, value, at),
        Err(error) => vec![format!("{at}: unresolvable schema: {error}")],
    }
}

/// Type, format, enum, required keys, and the properties, items and map
/// values present.
fn own_mismatches(spec: &Spec, schema: &ObjectSchema, value: &Value, at: &str) -> Vec<String> {
    if let Some(types) = &schema.schema_type {
        let kind = kind(value);
        let fits = types.contains(kind) || (kind == Type::Integer && types.contains(Type::Number));
        if !fits {
            return vec![format!("{at}: {value} is not of type {types:?}")];
        }
    }
    let mut found = Vec::new();
    if !schema.enum_values.is_empty() && !schema.enum_values.contains(value) {
        found.push(format!("{at}: {value} is none of {:?}", schema.enum_values));
    }
    if let (Some("date-time"), Value::String(text)) = (schema.format.as_deref(), value) {
        if chrono::DateTime::parse_from_rfc3339(text).is_err() {
            found.push(format!("{at}: {text:?} is not an RFC 3339 date-time"));
        }
    }
    match value {
        Value::Object(map) => {
            for key in &schema.required {
                if !map.contains_key(key) {
                    found.push(format!("{at}.{key}: required, missing"));
                }
            }
            for (key, item) in map {
                let at = format!("{at}.{key}");
                if let Some(property) = schema.properties.get(key) {
                    found.extend(mismatches(spec, property, item, &at));
                } else if let Some(Schema::Object(values)) = &schema.additional_properties {
                    found.extend(mismatches(spec, values, item, &at));
                }
            }
        }
        Value::Array(items) => {
            if let Some(schema) = &schema.items {
                for (index, item) in items.iter().enumerate() {
                    found.extend(mismatches(spec, schema, item, &format!("{at}[{index}]")));
                }
            }
        }
        _ => {}
    }
    found
}

/// The property names `schema` and its `allOf` parts declare.
fn declared(spec: &Spec, schema: &ObjectSchema) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = schema.properties.keys().cloned().collect();
    for part in &schema.all_of {
        if let Ok(part) = part.resolve(spec) {
            names.extend(declared(spec, &part));
        }
    }
    names
}

/// The JSON Schema type of `value`.
fn kind(value: &Value) -> Type {
    match value {
        Value::Null => Type::Null,
        Value::Bool(_) => Type::Boolean,
        Value::Number(n) if n.is_i64() || n.is_u64() => Type::Integer,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::Array(_) => Type::Array,
        Value::Object(_) => Type::Object,
    }
}
