//! "Run this next" lines as commands to paste: the real topic, consumer and file, each word
//! quoted for a POSIX shell, built from the command line the user ran (so its broker, context
//! and security flags come along). Secrets never are on a command line, except a `-X` property
//! the user put there against advice: its value is not repeated.

/// One word as a POSIX shell reads it back: bare when it is plain, else in single quotes.
pub(crate) fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@,+%^".contains(&b));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Words joined into one line to paste; the program is `dlq` as the user typed it.
pub(crate) fn line(words: &[String]) -> String {
    let mut out = vec!["dlq".to_string()];
    out.extend(words.iter().map(|w| quote(&masked(w))));
    out.join(" ")
}

/// A `-X` property whose name says it is a secret keeps its name only.
fn masked(word: &str) -> String {
    let Some((key, _)) = word.split_once('=') else {
        return word.to_string();
    };
    let key_l = key.trim_start_matches("-X").to_ascii_lowercase();
    let secret = ["password", "secret", "token", "key.pem", "credentials"]
        .iter()
        .any(|s| key_l.contains(s));
    if secret && !key.starts_with("--") {
        format!("{key}=…")
    } else {
        word.to_string()
    }
}

/// The arguments of this process after the program name.
pub(crate) fn this_command() -> Vec<String> {
    std::env::args().skip(1).collect()
}

/// The same command again (a rerun continues where an interrupted or cut-short one stopped).
pub(crate) fn rerun(argv: &[String]) -> String {
    line(argv)
}

/// The rewind `argv` turned into the restore of the positions it saved in `file`: the same
/// topic, consumer, broker and flags, with `--restore-positions FILE` for its `--since` (and no
/// `--save-positions`, `--tz` or `--dry-run`).
pub(crate) fn restore_positions(argv: &[String], file: &std::path::Path) -> String {
    let mut words = without(
        argv,
        &["--since", "--save-positions", "--tz", "--restore-positions"],
        &["--dry-run"],
    );
    words.push("--restore-positions".into());
    words.push(file.display().to_string());
    line(&words)
}

/// A `replay --join` command line as the plain dry run that shows its plan: the same topic,
/// selection, broker and flags, without `--join` and `-y`.
pub(crate) fn plan_of_join(argv: &[String]) -> String {
    let mut words = without(argv, &[], &["--join", "-y", "--yes", "--dry-run"]);
    words.push("--dry-run".into());
    line(&words)
}

/// The flags of `argv` with none of `valued` (and their values) or `bare`.
fn without(argv: &[String], valued: &[&str], bare: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip_value = false;
    for w in argv {
        if std::mem::take(&mut skip_value) {
            continue;
        }
        if valued.contains(&w.as_str()) {
            skip_value = true;
            continue;
        }
        let inline = valued.iter().any(|f| w.starts_with(&format!("{f}=")));
        if inline || bare.contains(&w.as_str()) {
            continue;
        }
        out.push(w.clone());
    }
    out
}

/// `dlq list` of one failure group, from the `dlq groups` command line `argv`: the same topic
/// and connection, `--fingerprint ID`.
pub(crate) fn list_group(argv: &[String], topic: &str, fingerprint: &str) -> String {
    let mut words = vec!["list".to_string(), topic.to_string()];
    words.extend(crate::cli::connection_words(argv));
    words.push("--fingerprint".into());
    words.push(fingerprint.into());
    line(&words)
}

/// A restore of the backup `file` that `argv` (a purge) wrote: `dlq replay --from-file FILE`
/// with the purge's connection flags.
pub(crate) fn restore_backup(argv: &[String], file: &std::path::Path) -> String {
    let mut words = vec!["replay".to_string()];
    words.extend(crate::cli::connection_words(argv));
    words.push("--from-file".into());
    words.push(file.display().to_string());
    line(&words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &[&str]) -> Vec<String> {
        s.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn words_are_quoted_for_a_shell_only_where_needed() {
        assert_eq!(quote("orders.DLT"), "orders.DLT");
        assert_eq!(quote("kafka://b:9092"), "kafka://b:9092");
        assert_eq!(quote("my group"), "'my group'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("$HOME"), "'$HOME'");
    }

    #[test]
    fn a_rewind_becomes_the_restore_of_its_positions() {
        let argv = words(&[
            "replay",
            "orders",
            "--since",
            "1h",
            "--group",
            "billing team",
            "-b",
            "kafka://b:9092",
            "-y",
            "--save-positions=/tmp/p.json",
        ]);
        assert_eq!(
            restore_positions(&argv, std::path::Path::new("/state/p q.json")),
            "dlq replay orders --group 'billing team' -b kafka://b:9092 -y --restore-positions '/state/p q.json'"
        );
    }

    #[test]
    fn a_secret_property_is_not_repeated() {
        let argv = words(&["list", "t", "-X", "sasl.password=hunter2", "-X", "acks=all"]);
        let l = rerun(&argv);
        assert!(!l.contains("hunter2"), "{l}");
        assert!(l.contains("acks=all"), "{l}");
    }

    #[test]
    fn a_purge_s_backup_is_restored_over_the_same_connection() {
        let argv = words(&[
            "--context",
            "prod",
            "purge",
            "orders.DLT",
            "--all",
            "-y",
            "-b",
            "kafka://b:9092",
            "--group",
            "ops",
            "-X",
            "security.protocol=ssl",
            "--tls",
            "--timeout=5s",
            "--grep",
            "boom",
        ]);
        assert_eq!(
            restore_backup(&argv, std::path::Path::new("/state/b.jsonl")),
            "dlq replay --context prod -b kafka://b:9092 -X security.protocol=ssl --tls --timeout=5s \
             --from-file /state/b.jsonl"
        );
    }
}
