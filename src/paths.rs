//! Where dlq keeps its files: the XDG base directories, and names made safe for a file system.

use std::path::PathBuf;

/// `$VAR` when set and not empty, else `$HOME/under_home` (e.g. `XDG_STATE_HOME`, `.local/state`).
pub(crate) fn xdg_dir(var: &str, under_home: &str) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(under_home)))
}

/// `text` as one file name: ASCII letters, digits, `.`, `_` and `-` kept, anything else `_`.
pub(crate) fn safe_file_name(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_topics_become_one_name() {
        assert_eq!(
            safe_file_name("persistent://public/default/x-DLQ"),
            "persistent___public_default_x-DLQ"
        );
        assert_eq!(
            safe_file_name("pulsar+ssl://h:6651/"),
            "pulsar_ssl___h_6651_"
        );
    }
}
