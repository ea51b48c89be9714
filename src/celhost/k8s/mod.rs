//! The Kubernetes CEL libraries, as the API server declares them in
//! `k8s.io/apiserver/pkg/cel/environment/base.go`: each library is registered from the
//! Kubernetes minor version that introduced it, so that an expression is checked against
//! the functions of the cluster version it targets.
//!
//! | since | library |
//! |---|---|
//! | 1.0 | URLs, Regex, Lists |
//! | 1.28 | Quantity |
//! | 1.29 | cel-go `ext.Sets` |
//! | 1.30 | IP, CIDR |
//! | 1.31 | Format |
//! | 1.33 | Semver, Image |
//!
//! [`register_kyverno_regex`] adds cel-go's `ext.Regex` (`regex.replace`, `regex.extract`,
//! ...), which Kyverno's CEL environment has and the API server's does not.

mod cidr;
mod format;
mod image;
mod ip;
mod lists;
mod quantity;
mod regex;
mod semver;
mod sets;
mod urls;

use cel::common::traits::Iterable;
use cel::common::value::{CowVal, Val};
use cel::{DeclarationError, Env, ExecutionError};
use std::sync::LazyLock;

/// A function a library declares: for a static checker that reports unknown functions and
/// functions used before the Kubernetes version that introduced them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunctionInfo {
    /// The name as written in CEL: `isSorted`, `url`, `sets.contains`.
    pub name: &'static str,
    /// Whether it is called on a receiver (`x.name(..)`) rather than globally (`name(..)`).
    pub receiver: bool,
    /// The accepted argument counts, the receiver not counted.
    pub arities: &'static [usize],
    /// The Kubernetes minor version (of 1.x) that introduced it.
    pub since: u32,
    /// The library declaring it: `lists`, `regex`, `urls`, `quantity`, `sets`, `ip`, `cidr`,
    /// `format`, `semver`, `image`.
    pub library: &'static str,
}

/// The Kubernetes libraries, with the minor version introducing each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Library {
    /// `isSorted`, `sum`, `min`, `max`, `indexOf`, `lastIndexOf` on lists (1.0).
    Lists,
    /// `find`, `findAll` (1.0).
    Regex,
    /// `url`, `isURL` and the URL accessors (1.0).
    Urls,
    /// `quantity`, `isQuantity` and the Quantity methods (1.28).
    Quantity,
    /// cel-go's `sets.contains`, `sets.equivalent`, `sets.intersects` (1.29).
    Sets,
    /// `ip`, `isIP` and the IP methods (1.30).
    Ip,
    /// `cidr`, `isCIDR` and the CIDR methods (1.30).
    Cidr,
    /// `format.named` and the named formats (1.31).
    Format,
    /// `semver`, `isSemver` and the Semver methods (1.33).
    Semver,
    /// `image`, `isImage` and the Image methods (1.33).
    Image,
}

impl Library {
    /// Every library, in the order they are registered.
    pub const ALL: [Library; 10] = [
        Library::Lists,
        Library::Regex,
        Library::Urls,
        Library::Quantity,
        Library::Sets,
        Library::Ip,
        Library::Cidr,
        Library::Format,
        Library::Semver,
        Library::Image,
    ];

    /// The Kubernetes minor version (of 1.x) that introduced the library.
    pub fn since(self) -> u32 {
        match self {
            Library::Lists | Library::Regex | Library::Urls => 0,
            Library::Quantity => 28,
            Library::Sets => 29,
            Library::Ip | Library::Cidr => 30,
            Library::Format => 31,
            Library::Semver | Library::Image => 33,
        }
    }

    /// The library's name, as in [`FunctionInfo::library`].
    pub fn name(self) -> &'static str {
        match self {
            Library::Lists => "lists",
            Library::Regex => "regex",
            Library::Urls => "urls",
            Library::Quantity => "quantity",
            Library::Sets => "sets",
            Library::Ip => "ip",
            Library::Cidr => "cidr",
            Library::Format => "format",
            Library::Semver => "semver",
            Library::Image => "image",
        }
    }

    /// Registers the library's types and overloads on `env`.
    ///
    /// # Errors
    ///
    /// Fails when `env` already declares one of its overloads or types.
    pub fn register(self, env: &mut Env) -> Result<(), DeclarationError> {
        match self {
            Library::Lists => lists::register(env),
            Library::Regex => regex::register(env),
            Library::Urls => urls::register(env),
            Library::Quantity => quantity::register(env),
            Library::Sets => sets::register(env),
            Library::Ip => ip::register(env),
            Library::Cidr => cidr::register(env),
            Library::Format => format::register(env),
            Library::Semver => semver::register(env),
            Library::Image => image::register(env),
        }
    }

    /// The functions the library declares.
    pub fn functions(self) -> &'static [FunctionInfo] {
        match self {
            Library::Lists => lists::FUNCTIONS,
            Library::Regex => regex::FUNCTIONS,
            Library::Urls => urls::FUNCTIONS,
            Library::Quantity => quantity::FUNCTIONS,
            Library::Sets => sets::FUNCTIONS,
            Library::Ip => ip::FUNCTIONS,
            Library::Cidr => cidr::FUNCTIONS,
            Library::Format => format::FUNCTIONS,
            Library::Semver => semver::FUNCTIONS,
            Library::Image => image::FUNCTIONS,
        }
    }
}

/// Registers on `env` the Kubernetes libraries available at Kubernetes `1.<kubernetes_minor>`.
///
/// `env` is expected to have the standard library (`Env::stdlib()`), and for the base
/// environment of the API server also `cel::extensions::strings`.
///
/// # Errors
///
/// Fails when `env` already declares one of the libraries' overloads or types.
pub fn register(env: &mut Env, kubernetes_minor: u32) -> Result<(), DeclarationError> {
    for library in Library::ALL {
        if library.since() <= kubernetes_minor {
            library.register(env)?;
        }
    }
    Ok(())
}

/// Registers cel-go's `ext.Regex` library (`regex.replace`, `regex.extract`,
/// `regex.extractAll`), part of Kyverno's CEL environment.
///
/// # Errors
///
/// Fails when `env` already declares one of its overloads.
pub fn register_kyverno_regex(env: &mut Env) -> Result<(), DeclarationError> {
    regex::register_ext(env)
}

/// The functions of [`register_kyverno_regex`].
pub fn kyverno_regex_functions() -> &'static [FunctionInfo] {
    regex::EXT_FUNCTIONS
}

/// Every function the Kubernetes libraries declare, library by library. A name declared
/// by several libraries (`isGreaterThan`, `string`, `indexOf`) appears once per library.
/// [`kyverno_regex_functions`] lists those of [`register_kyverno_regex`], and
/// [`crate::celhost::macros::MACROS`] the macros.
pub fn function_names() -> &'static [FunctionInfo] {
    static ALL: LazyLock<Vec<FunctionInfo>> =
        LazyLock::new(|| Library::ALL.into_iter().flat_map(Library::functions).copied().collect());
    &ALL
}

/// The Kubernetes minor version in which a function of that name first appears, the
/// earliest of the libraries declaring it; `None` for a name no library declares.
///
/// `library_since("semver") == Some(33)`: "semver is not available before Kubernetes 1.33".
pub fn library_since(function_name: &str) -> Option<u32> {
    function_names()
        .iter()
        .filter(|f| f.name == function_name)
        .map(|f| f.since)
        .min()
}

// --- helpers shared by the libraries ---------------------------------------------------

/// `args` as the `N` arguments of an overload.
pub(crate) fn take_args<'b, 'v, const N: usize>(
    args: Vec<CowVal<'b, 'v>>,
) -> Result<[CowVal<'b, 'v>; N], ExecutionError> {
    args.try_into()
        .map_err(|args: Vec<_>| ExecutionError::invalid_argument_count(N, args.len()))
}

/// `list` as an iterable, for an overload that takes any `list`, not just a `CelList`.
pub(crate) fn iterable<'b, 'v>(list: &'b (dyn Val + 'v)) -> Result<&'b (dyn Iterable + 'v), ExecutionError> {
    list.as_iterable().ok_or_else(|| ExecutionError::UnexpectedType {
        got: list.get_type().name().to_owned(),
        want: "iterable".to_owned(),
    })
}

/// The elements of the list `list`, borrowed.
pub(crate) fn elements<'b, 'v>(list: &'b (dyn Val + 'v)) -> Result<Vec<&'b (dyn Val + 'v)>, ExecutionError> {
    let mut items = iterable(list)?.iter();
    let mut out = Vec::new();
    while let Some(item) = items.next() {
        out.push(item);
    }
    Ok(out)
}

/// Implements [`Val`] and [`StaticVal`](cel::common::value::StaticVal) for an opaque
/// `'static` type `$ty` of CEL type `$cel_type`, equal by `PartialEq`.
macro_rules! opaque_val {
    ($ty:ty, $cel_type:expr) => {
        impl cel::common::value::Val for $ty {
            fn get_type(&self) -> &cel::common::types::Type {
                &$cel_type
            }

            fn cel_type() -> &'static cel::common::types::Type {
                &$cel_type
            }

            fn equals(&self, other: &dyn cel::common::value::Val) -> bool {
                other.downcast_ref::<$ty>().is_some_and(|o| o == self)
            }

            fn clone_as_boxed<'v>(&self) -> Box<dyn cel::common::value::Val + 'v>
            where
                Self: 'v,
            {
                Box::new(self.clone())
            }

            fn as_any(&self) -> Option<&dyn std::any::Any> {
                Some(self)
            }
        }

        impl cel::common::value::StaticVal for $ty {}
    };
}
pub(crate) use opaque_val;

#[cfg(test)]
pub(crate) mod testing {
    //! Evaluation of expressions in an environment with every library, for the tests.

    use cel::{Context, Env, Value};
    use std::sync::Arc;

    /// The environment of the tests: the standard library, the strings, lists and math
    /// extensions, every Kubernetes library and the Kyverno regex library.
    pub(crate) fn env() -> Env {
        let mut env = Env::stdlib();
        env.add_extension(cel::extensions::strings).expect("strings");
        env.add_extension(cel::extensions::lists).expect("lists");
        env.add_extension(cel::extensions::math).expect("math");
        super::register(&mut env, 99).expect("kubernetes libraries");
        super::register_kyverno_regex(&mut env).expect("kyverno regex");
        env
    }

    /// The value of `expr`, or the error's text.
    pub(crate) fn eval(expr: &str) -> Result<Value, String> {
        let env = env();
        let program = env.compile(expr).map_err(|e| format!("compile: {e}"))?;
        let context = Context::with_env(Arc::new(env));
        program.execute(&context).map_err(|e| e.to_string())
    }

    /// Asserts each expression evaluates to the expected value.
    pub(crate) fn check(cases: &[(&str, Value)]) {
        for (expr, want) in cases {
            match eval(expr) {
                Ok(got) => assert_eq!(&got, want, "{expr}"),
                Err(e) => panic!("{expr}: {e}"),
            }
        }
    }

    /// Asserts each expression evaluates to `true`.
    pub(crate) fn check_true(cases: &[&str]) {
        for expr in cases {
            match eval(expr) {
                Ok(got) => assert_eq!(got, Value::Bool(true), "{expr}"),
                Err(e) => panic!("{expr}: {e}"),
            }
        }
    }

    /// Asserts each expression fails to evaluate with an error containing the text.
    pub(crate) fn check_err(cases: &[(&str, &str)]) {
        for (expr, want) in cases {
            match eval(expr) {
                Ok(got) => panic!("{expr}: expected an error, got {got:?}"),
                Err(e) => assert!(e.contains(want), "{expr}: error {e:?} lacks {want:?}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libraries_follow_the_kubernetes_version() {
        assert_eq!(library_since("semver"), Some(33));
        assert_eq!(library_since("isSorted"), Some(0));
        assert_eq!(library_since("quantity"), Some(28));
        assert_eq!(library_since("isGreaterThan"), Some(28));
        assert_eq!(library_since("sets.contains"), Some(29));
        assert_eq!(library_since("cidr"), Some(30));
        assert_eq!(library_since("format.named"), Some(31));
        assert_eq!(library_since("noSuchFunction"), None);

        let mut env = Env::stdlib();
        register(&mut env, 27).expect("1.27");
        let context = cel::Context::with_env(std::sync::Arc::new(env));
        let program = cel::Program::compile("[1, 2].isSorted()").expect("parses");
        assert_eq!(program.execute(&context), Ok(cel::Value::Bool(true)));
        let program = cel::Program::compile("isQuantity('1')").expect("parses");
        assert!(program.execute(&context).is_err());
    }

    #[test]
    fn function_tables_agree_with_the_libraries() {
        for library in Library::ALL {
            assert!(!library.functions().is_empty(), "{library:?}");
            for f in library.functions() {
                assert_eq!(f.since, library.since(), "{}", f.name);
                assert_eq!(f.library, library.name(), "{}", f.name);
                assert!(!f.arities.is_empty(), "{}", f.name);
            }
        }
        assert_eq!(
            function_names().len(),
            Library::ALL.iter().map(|l| l.functions().len()).sum::<usize>()
        );
        assert!(kyverno_regex_functions().iter().any(|f| f.name == "regex.replace"));
    }

    #[test]
    fn a_library_is_absent_before_its_version() {
        let eval = |minor: u32, expr: &str| {
            let mut env = Env::stdlib();
            register(&mut env, minor).expect("registers");
            let program = env.compile(expr).expect("parses");
            program.execute(&cel::Context::with_env(std::sync::Arc::new(env)))
        };
        assert!(eval(32, "isSemver('1.0.0')").is_err());
        assert_eq!(eval(33, "isSemver('1.0.0')"), Ok(cel::Value::Bool(true)));
        assert!(eval(30, "format.named('uri').hasValue()").is_err());
        assert_eq!(eval(31, "format.named('uri').hasValue()"), Ok(cel::Value::Bool(true)));
        assert!(eval(29, "isIP('::1')").is_err());
        assert_eq!(eval(30, "isCIDR('::1/128')"), Ok(cel::Value::Bool(true)));
        assert!(eval(28, "sets.contains([1], [1])").is_err());
        assert_eq!(eval(29, "sets.contains([1], [1])"), Ok(cel::Value::Bool(true)));
        assert_eq!(
            eval(0, "isURL('/a') && 'a1'.find('[0-9]') == '1'"),
            Ok(cel::Value::Bool(true))
        );
    }

    #[test]
    fn every_version_registers() {
        for minor in [0, 27, 28, 29, 30, 31, 32, 33, 40] {
            let mut env = Env::stdlib();
            env.add_extension(cel::extensions::strings).expect("strings");
            register(&mut env, minor).expect("registers");
        }
    }
}
