//! The command line: arguments → a [`Session`] → outputs and an exit code (0 clean, 1
//! findings at or above `--fail-on`, 2 usage, configuration or I/O error).

mod args;

pub use args::{CheckArgs, Cli, Color, Command, FailOn, InputArgs, Kustomize, ListFormat, PostureArgs};

use crate::commands::{self, RulesFormat};
use crate::report::{self, Format, ReportCx};
use crate::session::{self, FixMode, Session};
use clap::Parser;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// An error that ends the run with exit code 2.
type Fatal = session::Error;

/// Entry point of the binary.
pub fn main() -> ExitCode {
    ExitCode::from(run(Cli::parse()))
}

/// Runs a command line (`["plimsoll", "check", ...]`) and returns the exit code; used by
/// benchmarks to run in-process.
pub fn run_args<I, T>(args: I) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    match Cli::try_parse_from(args) {
        Ok(cli) => run(cli),
        Err(e) => {
            let _ = e.print();
            2
        }
    }
}

fn run(cli: Cli) -> u8 {
    let code = match cli.command {
        Command::Check(args) => check(*args),
        Command::Posture(args) => posture(*args),
        Command::Rules { format } => session::register_nearest_custom_rules().and_then(|()| {
            let format = match format {
                ListFormat::Text => RulesFormat::Text,
                ListFormat::Json => RulesFormat::Json,
                ListFormat::Markdown => RulesFormat::Markdown,
            };
            write_stdout(commands::rules(format)?.as_bytes())
        }),
        Command::Explain { rule } => session::register_nearest_custom_rules()
            .and_then(|()| commands::explain(&rule))
            .and_then(|page| write_stdout(page.as_bytes())),
        Command::Init { force } => commands::init(Path::new("."), force).and_then(|line| write_stdout(line.as_bytes())),
        Command::Completions { shell } => completions(shell),
        Command::Man => man(),
        Command::Lsp => crate::lsp::run_stdio().map(|()| 0),
    };
    match code {
        Ok(code) => code,
        // Output cut short by its reader (`plimsoll rules | head -1`): nothing to say.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            0
        }
        Err(e) => {
            say("error", &e.to_string());
            2
        }
    }
}

fn check(args: CheckArgs) -> Result<u8, Fatal> {
    let started = Instant::now();
    let options = args.options();
    options.validate()?;
    let outputs = outputs::<Format>(&args.format, &args.output)?;
    let mut session = Session::new(options)?;
    if args.check_custom_rules {
        let (report, passed) = commands::custom_rules_report(&session.check_custom_rules()?);
        write_stdout(report.as_bytes())?;
        return Ok(if passed { 0 } else { 2 });
    }
    load_inputs(&mut session, args.quiet)?;
    let mode = session.options().fix;
    let policy = session.fix_policy();
    let (mut linted, fixed) = match mode {
        FixMode::Off => (session.lint_once()?, None),
        _ => {
            let f = session.fix(&policy, session::fix::MAX_PASSES, mode == FixMode::Diff)?;
            (f.linted, Some((f.summary, f.changes, f.rerender)))
        }
    };
    let mut diff_empty = true;
    if let Some((summary, changes, rerender)) = &fixed {
        if summary.did_not_converge && !args.quiet {
            say(
                "warning",
                &format!(
                    "fixes did not converge after {} passes; the last verified state is kept (please report this): {}",
                    session::fix::MAX_PASSES,
                    summary.files_changed.join(", ")
                ),
            );
        }
        if mode == FixMode::Diff {
            let diff = session::fix::diff(changes);
            diff_empty = diff.is_empty();
            write_stdout(diff.as_bytes())?;
            // The patch is all of standard output: say on stderr what it leaves out.
            if !args.quiet {
                for n in &summary.not_applied {
                    say(
                        "notice",
                        &format!("not in the patch: {}:{}: {}: {}", n.path, n.line, n.rule, n.reason),
                    );
                }
            }
        } else if let Err((written, e)) = session::fix::write(changes) {
            say("error", &format!("cannot write {e}"));
            if !written.is_empty() {
                say("error", &format!("written before the failure: {}", written.join(", ")));
            }
            return Ok(2);
        } else if *rerender {
            // Kustomize sources changed: render again to report what remains.
            session.load_inputs()?;
            linted = session.lint()?;
        }
    }
    let narrowed = session.narrow(&mut linted);
    if let (Some(record), Some(path)) = (&narrowed.record, &session.options().write_baseline) {
        record.write(path)?;
        if !args.quiet {
            say(
                "notice",
                &format!(
                    "wrote {} {} to the baseline {}",
                    record.entries().len(),
                    if record.entries().len() == 1 {
                        "finding"
                    } else {
                        "findings"
                    },
                    crate::discover::display(path)
                ),
            );
        }
    }
    let (files, outcome) = (&linted.files, &linted.outcome);

    let rules = session.rules();
    let stdout_is_tty = std::io::stdout().is_terminal();
    for (format, path) in &outputs {
        // With `--diff`, standard output holds the patch alone.
        if mode == FixMode::Diff && path.is_none() {
            continue;
        }
        let color = *format == Format::Text
            && path.is_none()
            && match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => stdout_is_tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            };
        let cx = ReportCx {
            files,
            outcome,
            rules: &rules,
            color,
            quiet: args.quiet,
            elapsed: started.elapsed(),
            fail_on: session.fail_on(),
            fix_policy: &policy,
            fix_summary: fixed.as_ref().map(|(s, ..)| s),
            narrowing: &narrowed.narrowing,
        };
        // A closed pipe (`| head`) stops the output, not the run: the exit code still says
        // whether there were findings.
        write_to(path.as_deref(), |w| report::render(*format, &cx, w))?;
    }
    // The text and JSON reports count stale baseline entries; other formats cannot.
    if let Some(b) = &narrowed.narrowing.baseline
        && b.stale > 0
        && !args.quiet
        && !outputs.iter().any(|(f, _)| matches!(f, Format::Text | Format::Json))
    {
        say("notice", &report::stale_baseline(b));
    }
    if args.statistics {
        let renders = session.render_stats();
        let _ = report::statistics(
            &mut std::io::stderr().lock(),
            outcome,
            renders,
            &rules,
            started.elapsed(),
        );
    }
    for e in session.discovery_errors() {
        say("error", &format!("cannot read {e}"));
    }
    for e in &outcome.io_errors {
        say("error", &format!("cannot read {}: {}", e.path, e.message));
    }
    if !outcome.io_errors.is_empty() || !session.discovery_errors().is_empty() {
        return Ok(2);
    }
    // Recording a baseline accepts the findings; pruning one reports the new ones.
    let recording = session.options().write_baseline.is_some() && session.options().baseline.is_none();
    let fail_on = session.fail_on().filter(|_| !recording);
    let failing = fail_on.is_some_and(|min| outcome.findings.iter().any(|f| f.severity >= min));
    // The process ends here: the run's memory goes back to the system at once rather than
    // being freed a finding at a time (about 0.1 s of one thread on 100,000 documents, by
    // profile).
    std::mem::forget(linted);
    Ok(u8::from(failing || !diff_empty))
}

/// The formats to write and where: `(format, None)` goes to `--output` or stdout.
fn outputs<F: std::str::FromStr<Err = String>>(
    formats: &[String],
    output: &Option<PathBuf>,
) -> Result<Vec<(F, Option<PathBuf>)>, Fatal> {
    let mut out = Vec::new();
    let mut to_default = 0;
    for spec in formats {
        let (name, file) = match spec.split_once('=') {
            Some((n, f)) => (n, Some(PathBuf::from(f))),
            None => (spec.as_str(), None),
        };
        let format: F = name.parse()?;
        let file = file.or_else(|| {
            to_default += 1;
            output.clone()
        });
        out.push((format, file));
    }
    if to_default > 1 {
        return Err(
            "only one --format may go to stdout/--output; give the others a file: --format json=out.json".into(),
        );
    }
    Ok(out)
}

/// Gathers the session's inputs, saying (unless `quiet`) what discovery noticed and
/// skipped, also when loading fails.
fn load_inputs(session: &mut Session, quiet: bool) -> Result<(), Fatal> {
    let loaded = session.load_inputs();
    if !quiet {
        for n in session.notices() {
            say("notice", n);
        }
        for w in session.warnings() {
            say("warning", &format!("skipped {w}"));
        }
    }
    loaded
}

/// Writes one report to its file, or to stdout (a closed pipe ends it quietly).
fn write_to(path: Option<&Path>, render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), Fatal> {
    match path {
        Some(p) => {
            let file = std::fs::File::create(p).map_err(|e| format!("{}: {e}", p.display()))?;
            let mut w = std::io::BufWriter::new(file);
            render(&mut w)?;
            w.flush()?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut w = std::io::BufWriter::new(stdout.lock());
            match render(&mut w).and_then(|()| w.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
                other => other?,
            }
        }
    }
    Ok(())
}

/// `plimsoll posture`: one lint with the controls' rules, the posture of every namespace,
/// and with `--compare` what moved since an earlier one.
fn posture(args: PostureArgs) -> Result<u8, Fatal> {
    use crate::posture::{self, Posture};
    let outputs = outputs::<posture::Format>(&args.format, &args.output)?;
    let before = args
        .compare
        .as_deref()
        .map(|path| Posture::read(path).map_err(|e| format!("{}: {e}", path.display())))
        .transpose()?;
    let mut session = Session::new(args.options())?;
    load_inputs(&mut session, args.quiet)?;
    let (linted, gathered) = session.lint_once_observed(posture::gather)?;
    let now = posture::assemble(gathered, &linted.outcome.findings, &linted.files);
    let comparison = before.as_ref().map(|b| posture::compare(b, &now));
    for (format, path) in &outputs {
        write_to(path.as_deref(), |w| now.render(*format, comparison.as_ref(), w))?;
    }
    for e in session.discovery_errors() {
        say("error", &format!("cannot read {e}"));
    }
    for e in &linted.outcome.io_errors {
        say("error", &format!("cannot read {}: {}", e.path, e.message));
    }
    if !linted.outcome.io_errors.is_empty() || !session.discovery_errors().is_empty() {
        return Ok(2);
    }
    let regressed = comparison.is_some_and(|c| !c.left.is_empty() || !c.left_all.is_empty());
    Ok(u8::from(args.fail_on_regression && regressed))
}

/// The completion script for `shell`, from the command-line definition.
fn completions(shell: clap_complete::Shell) -> Result<u8, Fatal> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "plimsoll", &mut out);
    write_stdout(&out)
}

/// The manual page, from the command-line definition: the command and one section per
/// subcommand.
fn man() -> Result<u8, Fatal> {
    use clap::CommandFactory;
    let command = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut out)?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("plimsoll {}", sub.get_name());
        out.extend_from_slice(b".SH \"");
        out.extend_from_slice(name.to_uppercase().as_bytes());
        out.extend_from_slice(b"\"\n");
        if let Some(about) = sub.get_about() {
            out.extend_from_slice(about.to_string().replace('\\', "\\\\").as_bytes());
            out.push(b'\n');
        }
        let page = clap_mangen::Man::new(sub.clone());
        page.render_options_section(&mut out)?;
    }
    write_stdout(&out)
}

/// Writes to stdout; a closed pipe (`| head`) ends quietly.
fn write_stdout(bytes: &[u8]) -> Result<u8, Fatal> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(0),
    }
}

/// Prints a diagnostic on stderr: `kind: message` on one line, whatever the message holds
/// (paths and messages from the repository have their control characters escaped, so no
/// line of ours can be read as a CI workflow command).
fn say(kind: &str, message: &str) {
    eprintln!("{kind}: {}", crate::source::escape_control(message));
}
