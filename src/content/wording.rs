//! serde's messages about values in the words of a site's author: "expected a whole
//! number, found the text "10"" rather than "invalid type: string "10", expected i64".

/// `message` with serde's "invalid type/value: FOUND, expected WANTED" rewritten; any
/// other message as it is. `key`, when known, names the value.
pub fn plain(message: &str, key: Option<&str>) -> String {
    let message = message.trim_end();
    let body = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "));
    let Some((found, expected)) = body.and_then(|b| b.rsplit_once(", expected ")) else {
        return message.to_string();
    };
    let said = format!(
        "expected {}, found {}",
        wanted(expected),
        found_value(found)
    );
    match key {
        Some(key) => format!("`{key}`: {said}"),
        None => said,
    }
}

/// What serde's `Unexpected` names, in words.
fn found_value(found: &str) -> String {
    let quoted = |prefix: &str| {
        found
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('`'))
            .and_then(|rest| rest.strip_suffix('`'))
            .map(str::to_string)
    };
    if let Some(text) = found.strip_prefix("string ") {
        return format!("the text {text}");
    }
    if let Some(n) = quoted("integer ").or_else(|| quoted("floating point ")) {
        return format!("the number {n}");
    }
    if let Some(b) = quoted("boolean ") {
        return format!("`{b}`");
    }
    if let Some(c) = quoted("character ") {
        return format!("the text \"{c}\"");
    }
    match found {
        "sequence" => "a list".to_string(),
        "map" => "a table".to_string(),
        "unit value" | "Option value" => "nothing (null)".to_string(),
        other => other.to_string(),
    }
}

/// What serde's `expecting` says, in words. Messages hearth wrote itself (a date
/// like ...) pass as they are.
fn wanted(expected: &str) -> String {
    let words = match expected {
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "an integer" => "a whole number",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number, 0 or more",
        "f32" | "f64" | "a float" => "a number",
        "a boolean" | "bool" => "true or false",
        "a string" | "string" => "text",
        "a character" | "char" => "a single character",
        "a sequence" => "a list",
        "a map" => "a table",
        "unit" => "nothing",
        other if other.starts_with("struct ") => "a table",
        other => other,
    };
    words.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_errors_read_as_sentences() {
        assert_eq!(
            plain("invalid type: string \"10\", expected i64", Some("menu")),
            "`menu`: expected a whole number, found the text \"10\""
        );
        assert_eq!(
            plain("invalid type: string \"rust\", expected a sequence", None),
            "expected a list, found the text \"rust\""
        );
        assert_eq!(
            plain("invalid type: sequence, expected a string", None),
            "expected text, found a list"
        );
        assert_eq!(
            plain("invalid type: map, expected a boolean", None),
            "expected true or false, found a table"
        );
        assert_eq!(
            plain("invalid value: integer `-1`, expected u16\n", None),
            "expected a whole number, 0 or more, found the number -1"
        );
        assert_eq!(
            plain(
                "invalid type: boolean `true`, expected struct RawSmtp",
                None
            ),
            "expected a table, found `true`"
        );
    }

    #[test]
    fn other_messages_pass_unchanged() {
        assert_eq!(
            plain("duplicate key `title`", None),
            "duplicate key `title`"
        );
    }
}
