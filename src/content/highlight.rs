//! Code highlighting at build time: fenced code blocks with a known language become
//! spans with `hl-*` classes (syntect's scopes), coloured by the theme's stylesheet
//! in a light and a dark palette. No JavaScript; unknown languages stay plain.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

/// The class prefix of every highlighting span: `hl-keyword`, `hl-string`, ...
const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: "hl-" };

/// syntect's bundled grammars, loaded once, on the first code block that needs them.
fn syntaxes() -> &'static SyntaxSet {
    static SYNTAXES: OnceLock<SyntaxSet> = OnceLock::new();
    SYNTAXES.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The language of a fence's info string: `rust` for ```` ```rust,ignore ````.
pub fn language(info: &str) -> Option<&str> {
    info.split([',', ' ', '{'])
        .next()
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

/// `code` as highlighted HTML (a whole `<pre>` block), or `None` when the language
/// is unknown so the caller renders plain code.
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    let set = syntaxes();
    let syntax = set
        .find_syntax_by_token(lang)
        .or_else(|| set.find_syntax_by_token(&lang.to_ascii_lowercase()))?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(syntax, set, CLASS_STYLE);
    for line in LinesWithEndings::from(code) {
        // A grammar that fails on odd input must not fail the build: fall back.
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    let lang = crate::render::escape_html(lang);
    Some(format!(
        "<pre class=\"code\" data-lang=\"{lang}\" tabindex=\"0\" role=\"group\" aria-label=\"Code: {lang}\"><code class=\"language-{lang}\">{}</code></pre>\n",
        generator.finalize()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_comes_out_with_highlighting_classes() {
        let html =
            highlight("fn main() {\n    let x = \"hi\"; // note\n}\n", "rust").unwrap_or_default();
        assert!(
            html.starts_with("<pre class=\"code\" data-lang=\"rust\" tabindex=\"0\""),
            "{html}"
        );
        for class in ["hl-keyword", "hl-string", "hl-comment", "hl-function"] {
            assert!(html.contains(class), "{class} missing in {html}");
        }
        assert!(
            html.contains(">hi<"),
            "the string's text is its own token: {html}"
        );
    }

    #[test]
    fn code_is_escaped_and_unknown_languages_are_left_alone() {
        let html = highlight("<script>alert(1)</script>\n", "html").unwrap_or_default();
        assert!(!html.contains("<script>"), "{html}");
        assert_eq!(highlight("x", "no-such-language"), None);
    }

    #[test]
    fn the_language_is_the_first_word_of_the_info_string() {
        assert_eq!(language("rust,ignore"), Some("rust"));
        assert_eq!(language("python {linenos}"), Some("python"));
        assert_eq!(language(""), None);
    }
}
