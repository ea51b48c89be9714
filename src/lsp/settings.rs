//! What an editor configures: `initializationOptions` and
//! `workspace/didChangeConfiguration` settings, on top of `.plimsoll.yaml`.

use crate::session::{ConfigChoice, KustomizeMode, Options};
use serde::Deserialize;
use std::path::PathBuf;
use std::time::Duration;

/// The editor's settings. Every field is optional; what is absent comes from
/// `.plimsoll.yaml`, then the defaults.
///
/// ```json
/// { "select": ["default", "workload"], "ignore": ["image-not-digest-pinned"],
///   "pss": { "level": "restricted", "version": "v1.33" },
///   "kustomize": "auto", "exclude": ["charts/**"], "debounceMs": 200 }
/// ```
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct Settings {
    /// Rules to run (replaces `rules.select`): ids, families or keywords.
    pub select: Vec<String>,
    /// Rules not to run (adds to `rules.ignore`).
    pub ignore: Vec<String>,
    pub pss: Pss,
    /// `auto` (render kustomizations when `kustomize` or `kubectl` is found) or `never`.
    pub kustomize: Option<String>,
    /// Globs of paths not to lint, relative to the workspace folder.
    pub exclude: Vec<String>,
    /// How long to wait after the last keystroke before linting (default 200 ms).
    pub debounce_ms: Option<u64>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Pss {
    /// `privileged`, `baseline` or `restricted`.
    pub level: Option<String>,
    /// `latest` or `v1.<minor>`.
    pub version: Option<String>,
}

/// The debounce when the settings do not say.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(200);

impl Settings {
    /// Reads settings sent by a client: the object itself, or the object under a
    /// `plimsoll` key (how VS Code sends a settings section). `null` is the defaults.
    pub fn from_value(value: Option<&serde_json::Value>) -> Result<Settings, String> {
        let value = match value {
            None | Some(serde_json::Value::Null) => return Ok(Settings::default()),
            Some(v) => v.get("plimsoll").unwrap_or(v),
        };
        Settings::deserialize(value).map_err(|e| format!("plimsoll settings: {e}"))
    }

    pub fn debounce(&self) -> Duration {
        self.debounce_ms.map_or(DEFAULT_DEBOUNCE, Duration::from_millis)
    }

    /// The session options for a workspace folder (the working directory): every manifest
    /// under it, files without Kubernetes objects silent.
    pub fn options(&self) -> Result<Options, String> {
        Ok(Options {
            paths: vec![PathBuf::from(".")],
            config: ConfigChoice::Nearest,
            select: self.select.clone(),
            ignore: self.ignore.clone(),
            pss_level: self
                .pss
                .level
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e| format!("pss.level: {e}"))?,
            pss_version: self
                .pss
                .version
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e| format!("pss.version: {e}"))?,
            kustomize: self
                .kustomize
                .as_deref()
                .map(|k| match k {
                    "auto" => Ok(KustomizeMode::Auto),
                    "never" => Ok(KustomizeMode::Never),
                    other => Err(format!("kustomize: `{other}` is not `auto` or `never`")),
                })
                .transpose()?,
            exclude: self.exclude.clone(),
            skip_non_manifests: true,
            quiet: true,
            ..Options::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_come_bare_or_under_a_plimsoll_key() {
        let bare = json!({"select": ["pss"], "pss": {"level": "baseline"}});
        let nested = json!({"plimsoll": bare.clone()});
        let a = Settings::from_value(Some(&bare)).unwrap();
        assert_eq!(a, Settings::from_value(Some(&nested)).unwrap());
        let o = a.options().unwrap();
        assert_eq!(o.select, ["pss"]);
        assert_eq!(o.pss_level.map(|l| l.to_string()).as_deref(), Some("baseline"));
        assert!(o.skip_non_manifests);
        assert_eq!(Settings::from_value(None).unwrap(), Settings::default());
    }

    #[test]
    fn bad_settings_are_named() {
        let e = Settings::from_value(Some(&json!({"selct": []}))).unwrap_err();
        assert!(e.contains("unknown field `selct`"), "{e}");
        let s = Settings::from_value(Some(&json!({"pss": {"version": "1.30"}}))).unwrap();
        assert!(s.options().unwrap_err().starts_with("pss.version:"));
        let s = Settings::from_value(Some(&json!({"kustomize": "always"}))).unwrap();
        assert_eq!(s.options().unwrap_err(), "kustomize: `always` is not `auto` or `never`");
    }
}
