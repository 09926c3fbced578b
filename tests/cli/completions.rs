//! The committed completion scripts must be what the binary generates.

use std::path::PathBuf;

use crate::common::dlq;

#[test]
fn committed_completions_match_the_binary() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "dlq.bash"),
        ("zsh", "_dlq"),
        ("fish", "dlq.fish"),
        ("powershell", "_dlq.ps1"),
        ("elvish", "dlq.elv"),
    ] {
        let generated = dlq().args(["completions", shell]).output().unwrap();
        assert!(generated.status.success());
        let committed = std::fs::read(dir.join(file)).unwrap_or_default();
        assert!(
            committed == generated.stdout,
            "completions/{file} differs from `dlq completions {shell}`; run scripts/gen-completions.sh and commit the result"
        );
    }
}

#[test]
fn committed_man_page_matches_the_binary() {
    let committed = std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("doc/dlq.1"))
        .unwrap_or_default();
    let generated = dlq().arg("man").output().unwrap();
    assert!(generated.status.success());
    assert!(
        committed == generated.stdout,
        "doc/dlq.1 differs from `dlq man`; run scripts/gen-completions.sh and commit the result"
    );
    let text = String::from_utf8(generated.stdout).unwrap();
    for section in ["dlq\\-list", "dlq\\-replay", "Exit codes"] {
        assert!(text.contains(section), "man page mentions {section}");
    }
}

#[test]
fn version_names_the_git_revision() {
    let out = dlq().arg("--version").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(concat!("dlq ", env!("CARGO_PKG_VERSION"), " (")),
        "{text}"
    );
    assert!(!text.contains("(unknown)"), "built in a checkout: {text}");
}
