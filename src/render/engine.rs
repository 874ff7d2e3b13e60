//! The one place hearth makes a Tera instance. Templates come from pull requests
//! (site templates, themes, the newsletter's `subject`), and the process that renders
//! them holds secrets in its environment (the SMTP password, the signing key), so
//! Tera's built-in `get_env` is replaced by one that reads only `HEARTH_PUBLIC_*`.

use std::collections::HashMap;

use serde_json::Value;

/// The prefix of the environment variables templates may read.
pub const PUBLIC_PREFIX: &str = "HEARTH_PUBLIC_";

/// A Tera instance with hearth's escaping and its restricted `get_env`. Every Tera
/// hearth uses comes from here.
pub fn new() -> tera::Tera {
    let mut tera = tera::Tera::default();
    tera.set_escape_fn(super::escape_html);
    // Registering under the built-in's name replaces it.
    tera.register_function("get_env", public_env);
    tera
}

/// `get_env(name=..., default=...)` for `HEARTH_PUBLIC_*` only; any other name is a
/// template error that names the variable but never reads it.
fn public_env(args: &HashMap<String, Value>) -> tera::Result<Value> {
    let name = match args.get("name") {
        Some(Value::String(name)) => name,
        Some(_) => return Err("`get_env`: `name` must be a string".into()),
        None => return Err("`get_env` needs a `name` argument".into()),
    };
    if !name.starts_with(PUBLIC_PREFIX) {
        return Err(format!(
            "`get_env` cannot read `{name}`: templates may read only environment variables whose names start with {PUBLIC_PREFIX}"
        )
        .into());
    }
    match (std::env::var(name), args.get("default")) {
        (Ok(value), _) => Ok(Value::String(value)),
        (Err(_), Some(default)) => Ok(default.clone()),
        (Err(_), None) => Err(format!(
            "`get_env`: the environment variable `{name}` is not set (give a `default` to make it optional)"
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str) -> Result<String, String> {
        new()
            .render_str(template, &tera::Context::new())
            .map_err(|e| super::super::error_chain(&e))
    }

    #[test]
    fn only_public_variables_are_readable() {
        // PATH is set in every environment tests run in.
        let refused = render(r#"{{ get_env(name="PATH", default="x") }}"#);
        let message = refused.expect_err("PATH is not public");
        assert!(message.contains("`PATH`") && message.contains(PUBLIC_PREFIX));
        assert!(!message.contains(&std::env::var("PATH").unwrap_or_default()));
        assert_eq!(
            render(r#"{{ get_env(name="HEARTH_PUBLIC_UNSET_IN_TESTS", default="d") }}"#),
            Ok("d".to_string())
        );
        let unset = render(r#"{{ get_env(name="HEARTH_PUBLIC_UNSET_IN_TESTS") }}"#);
        assert!(unset.is_err_and(|m| m.contains("not set")));
    }
}
