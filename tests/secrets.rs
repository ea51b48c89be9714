//! Secret values never reach the output. Every secret fixture is linted with every rule in
//! every format (all at once, so file-wide masking is exercised with findings of other
//! families on the same lines), and the output is searched for each committed value: in
//! full, without the four characters a redaction may show, and base64-encoded.

mod common;

use common::{plimsoll, run};

/// The credential values written in `testdata/rules/secret-*/bad*.yaml`, as committed
/// (decoded where the fixture stores them base64-encoded).
const SECRETS: &[&str] = &[
    // secret-token-pattern
    "AKIAZ7VRSUL4KQ2MWB3X",
    "ghp_R8kx2Lm9Qz4Vb7Nc1Pw6Ts3Jd0Gf5Ha8Ue2K",
    "https://hooks.slack.com/services/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Hd0Fs5Ga",
    "sk_live_51Hq8Lm3Vx1Kp7Tr2Yw9Jb4Nc6Hd0Fs5GaZ",
    // secret-private-key-literal
    "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun",
    // secret-url-credentials
    "Pg-9xLq2mV",
    "r3dis-Pa55",
    // secret-env-literal
    "9fT!kq2-Lm",
    "pk-3kLq9ZxV7mTw",
    "correct-horse-battery-staple",
    // secret-configmap-sensitive
    "Wh-2026-spring!",
    "t0k-Qz81mVx3",
    // secret-sops-partially-encrypted
    "tok-7Hc2Lq9Vx4Mz8Kp1",
    "plain-text-password",
    // secret-high-entropy-literal
    "Vq7Lm2Xz9Kp4Tr1Yw8Jb3Nc6Hd0Fs5Ga",
    "9xQ2vL7mPz4KbT8wRj3NcY6hFd1GsAe5Uk0Vo",
    // secret-plaintext-in-manifest
    "super-secret-2024",
    "Tr0ub4dor&3",
];

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

fn fixtures() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(common::root().join("testdata/rules"))
        .expect("testdata/rules")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|d| d.starts_with("secret-"))
        .flat_map(|d| {
            std::fs::read_dir(common::root().join("testdata/rules").join(&d))
                .expect("rule dir")
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|f| f.starts_with("bad") && f.ends_with(".yaml"))
                .map(move |f| format!("testdata/rules/{d}/{f}"))
                .collect::<Vec<_>>()
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_listed_secret_is_committed_in_a_fixture() {
    let texts: Vec<String> = fixtures()
        .iter()
        .map(|f| std::fs::read_to_string(common::root().join(f)).expect("fixture"))
        .collect();
    for s in SECRETS {
        assert!(
            texts
                .iter()
                .any(|t| t.contains(s) || t.contains(&b64(s)) || t.contains(&b64(&format!("{s}\n")))),
            "{s:?} is in no fixture: the list is stale"
        );
    }
}

#[test]
fn no_output_format_prints_a_secret() {
    let files = fixtures();
    for format in ["text", "json", "sarif", "github"] {
        let r = run(plimsoll()
            .args([
                "check",
                "--no-config",
                "--color",
                "never",
                "--complete-set",
                "--format",
                format,
            ])
            .args(&files));
        assert_eq!(r.code, 1, "{format}: findings expected\n{}", r.stderr);
        let rules_seen = [
            "secret-token-pattern",
            "secret-private-key-literal",
            "secret-env-literal",
        ];
        for rule in rules_seen {
            assert!(r.stdout.contains(rule), "{format}: no {rule} finding");
        }
        for s in SECRETS {
            let tail = &s[4..];
            for needle in [*s, tail, &b64(s)] {
                assert!(
                    !r.stdout.contains(needle) && !r.stderr.contains(needle),
                    "{format} output contains secret text {needle:?}"
                );
            }
        }
    }
}
