//! The Kubernetes Image library (`k8s.io/apiserver/pkg/cel/library/image.go`): `image`,
//! `isImage` and the accessors of `kubernetes.Image`, with go-containerregistry's
//! `name.ParseReference` semantics: Docker Hub is `index.docker.io` with `library/` for
//! single-component names, a reference without tag nor digest has the tag `latest`, and a
//! reference with a digest has that digest as identifier and no tag, even when a tag is
//! written too. Parsing is [`crate::model::image::ImageRef`]'s.

use super::{FunctionInfo, opaque_val};
use crate::model::image::ImageRef;
use cel::common::types::{CelBool, CelString, Kind, Type};
use cel::{DeclarationError, Env, ExecutionError};

/// The CEL type of image references.
pub(super) static IMAGE_TYPE: Type = Type::simple_type(Kind::Opaque, "kubernetes.Image");

/// A `kubernetes.Image` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    registry: String,
    repository: String,
    /// Empty when the reference has a digest.
    tag: String,
    /// Empty when the reference has none.
    digest: String,
}

opaque_val!(Image, IMAGE_TYPE);

/// The functions of the library.
pub(super) const FUNCTIONS: &[FunctionInfo] = &[
    info("image", false),
    info("isImage", false),
    info("containsDigest", true),
    info("registry", true),
    info("repository", true),
    info("identifier", true),
    info("tag", true),
    info("digest", true),
];

const fn info(name: &'static str, receiver: bool) -> FunctionInfo {
    FunctionInfo {
        name,
        receiver,
        arities: if receiver { &[0] } else { &[1] },
        since: 33,
        library: "image",
    }
}

/// Registers the library on `env`.
pub(super) fn register(env: &mut Env) -> Result<(), DeclarationError> {
    env.add_type(IMAGE_TYPE.to_owned())?;
    cel::add_overload!(env, fn image: (CelString) -> Result<Image>)?;
    cel::add_overload!(env, fn is_image: (CelString) -> CelBool)?;
    cel::add_member_overload!(env, fn contains_digest: (Image) -> CelBool)?;
    cel::add_member_overload!(env, fn registry: (Image) -> CelString)?;
    cel::add_member_overload!(env, fn repository: (Image) -> CelString)?;
    cel::add_member_overload!(env, fn identifier: (Image) -> CelString)?;
    cel::add_member_overload!(env, fn tag: (Image) -> CelString)?;
    cel::add_member_overload!(env, fn digest: (Image) -> CelString)?;
    Ok(())
}

fn parse(s: &str) -> Result<Image, String> {
    let r = ImageRef::parse(s).map_err(|e| format!("could not parse reference: {s}: {e}"))?;
    let registry = match r.domain {
        None | Some("docker.io") | Some("index.docker.io") => "index.docker.io",
        Some(d) => d,
    };
    let repository = if registry == "index.docker.io" && !r.path.contains('/') {
        format!("library/{}", r.path)
    } else {
        r.path.to_owned()
    };
    let (tag, digest) = match r.digest {
        Some(d) => (String::new(), d.to_owned()),
        None => (r.tag.unwrap_or("latest").to_owned(), String::new()),
    };
    Ok(Image {
        registry: registry.to_owned(),
        repository,
        tag,
        digest,
    })
}

fn image(s: &CelString<'_>) -> Result<Image, ExecutionError> {
    parse(s.inner()).map_err(|e| ExecutionError::function_error("image", e))
}

fn is_image(s: &CelString<'_>) -> CelBool {
    CelBool::from(parse(s.inner()).is_ok())
}

fn contains_digest(i: &Image) -> CelBool {
    CelBool::from(!i.digest.is_empty())
}

fn registry(i: &Image) -> CelString<'static> {
    CelString::from(i.registry.clone())
}

fn repository(i: &Image) -> CelString<'static> {
    CelString::from(i.repository.clone())
}

/// The digest when there is one, else the tag.
fn identifier(i: &Image) -> CelString<'static> {
    CelString::from(if i.digest.is_empty() {
        i.tag.clone()
    } else {
        i.digest.clone()
    })
}

fn tag(i: &Image) -> CelString<'static> {
    CelString::from(i.tag.clone())
}

fn digest(i: &Image) -> CelString<'static> {
    CelString::from(i.digest.clone())
}

#[cfg(test)]
mod tests {
    use super::super::testing::{check, check_err};
    use cel::Value;

    const DIGEST: &str = "sha256:6aefddb645ee6963afd681b1845c661d0ea4c3b20ab9db86d9e753b203d385f2";

    fn expr(template: &str) -> String {
        template.replace("DIGEST", DIGEST)
    }

    #[test]
    fn images() {
        let cases: Vec<(String, Value)> = vec![
            (
                expr("isImage('registry.k8s.io/kube-apiserver-arm64:latest')"),
                Value::Bool(true),
            ),
            (expr("isImage('nginx')"), Value::Bool(true)),
            (
                expr("isImage('registry.k8s.io/kube-apiserver-arm64@DIGEST')"),
                Value::Bool(true),
            ),
            (
                expr("isImage('registry.k8s.io/kube-apiserver-arm64:latest@DIGEST')"),
                Value::Bool(true),
            ),
            (
                expr("isImage('registry.k8s.io//kube-apiserver-arm64')"),
                Value::Bool(false),
            ),
            (expr("isImage('Nginx')"), Value::Bool(false)),
            (expr("isImage('')"), Value::Bool(false)),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64:latest@DIGEST').containsDigest()"),
                Value::Bool(true),
            ),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64@DIGEST').containsDigest()"),
                Value::Bool(true),
            ),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64:latest').containsDigest()"),
                Value::Bool(false),
            ),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64').containsDigest()"),
                Value::Bool(false),
            ),
            (
                expr("image('kube-apiserver-arm64:testtag').registry()"),
                Value::from("index.docker.io"),
            ),
            (
                expr("image('docker.io/library/nginx').registry()"),
                Value::from("index.docker.io"),
            ),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64:latest').registry()"),
                Value::from("registry.k8s.io"),
            ),
            (
                expr("image('localhost:5000/app').registry()"),
                Value::from("localhost:5000"),
            ),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64').repository()"),
                Value::from("kube-apiserver-arm64"),
            ),
            (expr("image('nginx').repository()"), Value::from("library/nginx")),
            (expr("image('org/app').repository()"), Value::from("org/app")),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64').tag()"),
                Value::from("latest"),
            ),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64:testtag').tag()"),
                Value::from("testtag"),
            ),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64:latest@DIGEST').tag()"),
                Value::from(""),
            ),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64@DIGEST').digest()"),
                Value::from(DIGEST),
            ),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64:latest@DIGEST').digest()"),
                Value::from(DIGEST),
            ),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64:testtag').digest()"),
                Value::from(""),
            ),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64:testtag').identifier()"),
                Value::from("testtag"),
            ),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64@DIGEST').identifier()"),
                Value::from(DIGEST),
            ),
            (
                expr("image('registry.k8s.io/kube-apiserver-arm64:latest@DIGEST').identifier()"),
                Value::from(DIGEST),
            ),
            (
                expr("image('nginx') == image('docker.io/library/nginx:latest')"),
                Value::Bool(true),
            ),
            (expr("image('nginx') != image('nginx:1.27')"), Value::Bool(true)),
        ];
        let cases: Vec<(&str, Value)> = cases.iter().map(|(e, v)| (e.as_str(), v.clone())).collect();
        check(&cases);
        check_err(&[(
            "image('registry.k8s.io//kube-apiserver-arm64')",
            "could not parse reference",
        )]);
    }
}
