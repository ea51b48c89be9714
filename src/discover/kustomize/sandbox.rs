//! Running the renderer confined. The repository (and so every kustomization) is untrusted:
//! a kustomization can name any path and any URL, and kustomize reads what it is told. Before
//! the renderer runs, every path a kustomization names is checked to be inside the root
//! (`Kustomization::read`); the renderer then runs:
//!
//! - with an empty environment (no token, no credential, no proxy setting of the runner is
//!   visible to it), `HOME` and `KUBECONFIG` in a scratch directory (an empty kubeconfig: no
//!   API server to call), and its proxy pointed at a closed port;
//! - on Linux, under a Landlock domain applied to the thread that starts it (so only the
//!   child and its descendants are confined, never plimsoll): it may read only the root, its
//!   own executable, the system's library directories and the scratch directory, write only
//!   the scratch directory, open no TCP or UDP connection and bind no port, and signal no
//!   process outside its domain. On a kernel without Landlock this layer is absent and the
//!   checks above remain;
//! - with its address space limited (`RLIMIT_AS`), its output cut at the size limit, its
//!   error output at [`STDERR_LIMIT`], and its time at the caller's limit; past any of these
//!   it is killed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The most of the renderer's error output kept.
pub const STDERR_LIMIT: u64 = 64 * 1024;

/// The address space a renderer may use. kustomize and kubectl are Go programs, whose
/// runtime reserves about 1 GB of address space at start; their resident memory stays well
/// below this.
pub const ADDRESS_SPACE: u64 = 4 * 1024 * 1024 * 1024;

/// What a confined render may touch.
pub struct Confinement<'a> {
    /// Read-only: the directory the render is confined to.
    pub root: &'a Path,
    /// Read-write: the scratch directory (the wrapper kustomization, `HOME`).
    pub scratch: &'a Path,
    /// The most bytes of output read.
    pub max_output: u64,
    pub time_limit: Duration,
}

/// How a confined run ended.
pub enum Ended {
    Success(Vec<u8>),
    /// Non-zero exit: the error output (at most [`STDERR_LIMIT`] bytes).
    Failed(Vec<u8>),
    TooLarge,
    TimedOut,
}

/// Runs `program args…` confined; `Err` when it could not be started.
pub fn run(program: &Path, args: &[&std::ffi::OsStr], confine: &Confinement<'_>) -> std::io::Result<Ended> {
    let kubeconfig = confine.scratch.join("kubeconfig");
    std::fs::write(&kubeconfig, "")?;
    let closed = "http://127.0.0.1:9";
    let mut command = Command::new(program);
    command
        .args(args)
        .env_clear()
        .env("HOME", confine.scratch)
        .env("KUBECONFIG", &kubeconfig)
        .env("HTTP_PROXY", closed)
        .env("HTTPS_PROXY", closed)
        .env("http_proxy", closed)
        .env("https_proxy", closed)
        .env("ALL_PROXY", closed)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ALLOW_PROTOCOL", "file")
        .env("GOMEMLIMIT", "1GiB")
        .current_dir(confine.scratch)
        // A pipe rather than /dev/null: nothing to open in the confined thread.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn_confined(command, program, confine)?;
    drop(child.stdin.take());
    #[cfg(target_os = "linux")]
    {
        // Before it has read anything: the limit applies to the child only.
        let _ = rlimit::prlimit(
            child.id() as i32,
            rlimit::Resource::AS,
            Some((ADDRESS_SPACE, ADDRESS_SPACE)),
            None,
        );
    }
    let overflow = Arc::new(AtomicBool::new(false));
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let out_thread = {
        let overflow = overflow.clone();
        let max = confine.max_output;
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(o) = stdout {
                let _ = o.take(max.saturating_add(1)).read_to_end(&mut bytes);
            }
            if bytes.len() as u64 > max {
                overflow.store(true, Ordering::SeqCst);
                bytes = Vec::new();
            }
            bytes
        })
    };
    let err_thread = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut e) = stderr {
            let _ = (&mut e).take(STDERR_LIMIT).read_to_end(&mut bytes);
            // Keep draining so that the child never blocks on a full pipe.
            let _ = std::io::copy(&mut e, &mut std::io::sink());
        }
        bytes
    });
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if overflow.load(Ordering::SeqCst) {
            let _ = child.kill();
        }
        match child.try_wait()? {
            Some(status) => break Some(status),
            None if started.elapsed() > confine.time_limit => {
                timed_out = true;
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            None => std::thread::sleep(Duration::from_millis(2)),
        }
    };
    let out = out_thread.join().unwrap_or_default();
    let err = err_thread.join().unwrap_or_default();
    Ok(if overflow.load(Ordering::SeqCst) {
        Ended::TooLarge
    } else if timed_out {
        Ended::TimedOut
    } else if status.is_some_and(|s| s.success()) {
        Ended::Success(out)
    } else {
        Ended::Failed(err)
    })
}

/// Starts the command from a thread of its own that first restricts itself with Landlock:
/// the child inherits that thread's domain, the rest of plimsoll is untouched.
#[cfg(target_os = "linux")]
fn spawn_confined(mut command: Command, program: &Path, confine: &Confinement<'_>) -> std::io::Result<Child> {
    let program = std::fs::canonicalize(program)?;
    let root = confine.root.to_path_buf();
    let scratch = confine.scratch.to_path_buf();
    std::thread::scope(|s| {
        s.spawn(move || {
            restrict(&program, &root, &scratch).map_err(|e| std::io::Error::other(e.to_string()))?;
            command.spawn()
        })
        .join()
        .unwrap_or_else(|_| Err(std::io::Error::other("the confined thread panicked")))
    })
}

#[cfg(not(target_os = "linux"))]
fn spawn_confined(mut command: Command, _program: &Path, _confine: &Confinement<'_>) -> std::io::Result<Child> {
    command.spawn()
}

/// The Landlock domain of a render (best effort: what the kernel supports is enforced).
#[cfg(target_os = "linux")]
fn restrict(
    program: &Path,
    root: &Path,
    scratch: &Path,
) -> Result<landlock::RestrictionStatus, landlock::RulesetError> {
    use landlock::{
        ABI, Access, AccessFs, AccessNet, Ruleset, RulesetAttr, RulesetCreatedAttr, Scope, path_beneath_rules,
    };
    let abi = ABI::V10;
    let read = AccessFs::from_read(abi);
    let system: Vec<PathBuf> = ["/usr", "/lib", "/lib64", "/bin"]
        .iter()
        .map(PathBuf::from)
        .filter(|p| p.exists())
        .collect();
    Ruleset::default()
        .handle_access(AccessFs::from_all(abi))?
        .handle_access(AccessNet::from_all(abi))?
        .scope(Scope::from_all(abi))?
        .create()?
        .add_rules(path_beneath_rules([program], read))?
        .add_rules(path_beneath_rules(&system, read))?
        .add_rules(path_beneath_rules([root], read))?
        .add_rules(path_beneath_rules([scratch], AccessFs::from_all(abi)))?
        .restrict_self()
}

/// Whether renders run under Landlock on this machine (for `docs/security.md`'s promise
/// and the tests that check it).
#[cfg(target_os = "linux")]
pub fn landlock_available() -> bool {
    use landlock::{ABI, Access, AccessFs, Ruleset, RulesetAttr};
    std::thread::scope(|s| {
        s.spawn(|| {
            Ruleset::default()
                .handle_access(AccessFs::from_all(ABI::V1))
                .and_then(|r| r.create())
                .and_then(|r| r.restrict_self())
                .is_ok_and(|status| status.ruleset != landlock::RulesetStatus::NotEnforced)
        })
        .join()
        .unwrap_or(false)
    })
}

#[cfg(not(target_os = "linux"))]
pub fn landlock_available() -> bool {
    false
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn confined(program: &str, args: &[&str], root: &Path) -> Ended {
        let scratch = tempfile::tempdir().expect("tempdir");
        let args: Vec<&std::ffi::OsStr> = args.iter().map(std::ffi::OsStr::new).collect();
        run(
            Path::new(program),
            &args,
            &Confinement {
                root,
                scratch: scratch.path(),
                max_output: 1 << 20,
                time_limit: Duration::from_secs(10),
            },
        )
        .expect("spawn")
    }

    #[test]
    fn a_render_sees_no_environment_variable_of_the_runner() {
        // SAFETY of the test's own environment is not touched: the variable is checked on
        // the child's side only.
        let root = tempfile::tempdir().expect("tempdir");
        let Ended::Success(out) = confined("/usr/bin/env", &[], root.path()) else {
            panic!("env failed");
        };
        let out = String::from_utf8_lossy(&out);
        assert!(!out.contains("PATH="), "{out}");
        assert!(
            out.lines().all(|l| l.starts_with("HOME=")
                || l.starts_with("KUBECONFIG=")
                || l.to_ascii_uppercase().contains("PROXY=")
                || l.starts_with("GIT_")
                || l.starts_with("GOMEMLIMIT=")),
            "{out}"
        );
    }

    /// Whether Landlock can be tested here; CI (`PLIMSOLL_REQUIRE_TOOLS=1`) requires it.
    fn landlock() -> bool {
        if landlock_available() {
            return true;
        }
        assert!(
            std::env::var_os("PLIMSOLL_REQUIRE_TOOLS").is_none(),
            "Landlock is not available on this kernel"
        );
        eprintln!("SKIPPED: Landlock is not available on this kernel");
        false
    }

    #[test]
    fn a_render_opens_no_connection_even_on_loopback() {
        if !landlock() {
            return;
        }
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let root = tempfile::tempdir().expect("tempdir");
        let script = format!("exec 3<>/dev/tcp/127.0.0.1/{port}");
        assert!(matches!(
            confined("/bin/bash", &["-c", &script], root.path()),
            Ended::Failed(_)
        ));
        assert!(listener.accept().is_err(), "the confined program connected");
        // Unconfined, the same script connects: the test can fail.
        let status = Command::new("/bin/bash").args(["-c", &script]).status().expect("bash");
        assert!(status.success());
    }

    #[test]
    fn a_render_reads_nothing_outside_the_root() {
        if !landlock() {
            return;
        }
        let root = tempfile::tempdir().expect("tempdir");
        std::fs::write(root.path().join("inside.txt"), "inside").expect("write");
        let inside = root.path().join("inside.txt");
        assert!(matches!(
            confined("/bin/cat", &[inside.to_str().expect("utf8")], root.path()),
            Ended::Success(out) if out == b"inside"
        ));
        for outside in ["/etc/hostname", "/proc/self/environ", "/etc/passwd"] {
            assert!(
                matches!(confined("/bin/cat", &[outside], root.path()), Ended::Failed(_)),
                "{outside} was readable"
            );
        }
    }
}
