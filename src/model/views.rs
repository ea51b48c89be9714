//! The one way to walk pods: a workload view over every pod-bearing kind, and a container
//! view over init, regular and ephemeral containers, each with its route.

use super::kinds::Typed;
use super::object::Object;
use crate::source::{Route, Tree};
use k8s_openapi::api::core::v1::{Container, EphemeralContainer, PodSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// The pod template of a pod-bearing object.
#[derive(Clone, Copy, Debug)]
pub struct Workload<'o> {
    /// Pod template metadata (the Pod's own metadata for a Pod).
    pub meta: Option<&'o ObjectMeta>,
    pub spec: &'o PodSpec,
    /// Route from the object's root to the template (`spec.template`; empty for a Pod).
    template: &'static [&'static str],
}

/// A route below a pod template's path.
#[derive(Clone, Copy)]
enum Below {
    Template,
    Spec,
    Labels,
}

/// The route to `template`, its `spec` or its labels: made once per thread for each path
/// (there are four), as rules ask for them for every workload they check.
fn below(template: &'static [&'static str], which: Below) -> Route {
    type Made = (&'static [&'static str], [Route; 3]);
    thread_local! {
        static MADE: std::cell::RefCell<Vec<Made>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    MADE.with_borrow_mut(|made| {
        let i = match made.iter().position(|(t, _)| *t == template) {
            Some(i) => i,
            None => {
                let at = Route::root().keys(template);
                let routes = [at.clone(), at.key("spec"), at.keys(&["metadata", "labels"])];
                made.push((template, routes));
                made.len() - 1
            }
        };
        made[i].1[which as usize].clone()
    })
}

impl<'o> Workload<'o> {
    /// The pod template of `obj`, if it has one. Kinds and paths follow Pod Security
    /// Admission (pss.md §2.1). A template absent from the source is no template (the
    /// typed struct would hold an empty default).
    pub fn of(obj: &'o Object, tree: &Tree<'_>) -> Option<Workload<'o>> {
        const POD: &[&str] = &[];
        const TEMPLATE: &[&str] = &["spec", "template"];
        const POD_TEMPLATE: &[&str] = &["template"];
        const CRON: &[&str] = &["spec", "jobTemplate", "spec", "template"];
        let (template, t) = match &obj.typed {
            Typed::Pod(p) => (POD, Some((Some(&p.metadata), p.spec.as_ref()))),
            Typed::PodTemplate(p) => (POD_TEMPLATE, p.template.as_ref().map(split)),
            Typed::Deployment(d) => (TEMPLATE, Some(split(&d.spec.template))),
            Typed::StatefulSet(d) => (TEMPLATE, Some(split(&d.spec.template))),
            Typed::DaemonSet(d) => (TEMPLATE, Some(split(&d.spec.template))),
            Typed::ReplicaSet(d) => (TEMPLATE, d.spec.template.as_ref().map(split)),
            Typed::ReplicationController(d) => (TEMPLATE, d.spec.as_ref().and_then(|s| s.template.as_ref()).map(split)),
            Typed::Job(d) => (TEMPLATE, d.spec.as_ref().map(|s| split(&s.template))),
            Typed::CronJob(d) => (CRON, d.spec.job_template.spec.as_ref().map(|s| split(&s.template))),
            Typed::DeploymentConfig(d) => (TEMPLATE, d.spec.as_ref().and_then(|s| s.template.as_ref()).map(split)),
            Typed::Rollout(d) => (TEMPLATE, d.spec.as_ref().and_then(|s| s.template.as_ref()).map(split)),
            _ => return None,
        };
        let (meta, spec) = t?;
        let spec = spec?;
        if !template.is_empty() {
            let route = below(template, Below::Spec);
            if route.walk(tree, obj.root).matched < route.segs().len() {
                return None;
            }
        }
        Some(Workload { meta, spec, template })
    }

    /// Route from the object's root to the pod spec of a pod-bearing kind (as
    /// [`Workload::of`] finds it), for facts that keep the object but not its view.
    pub fn spec_route_of(kind: &str) -> Option<Route> {
        let keys: &[&'static str] = match kind {
            "Pod" => &["spec"],
            "PodTemplate" => &["template", "spec"],
            "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
            "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "ReplicationController"
            | "Job"
            | "DeploymentConfig"
            | "Rollout" => &["spec", "template", "spec"],
            _ => return None,
        };
        Some(Route::root().keys(keys))
    }

    /// Route from the object's root to the pod template (`metadata` and `spec` below it).
    pub fn template_route(&self) -> Route {
        below(self.template, Below::Template)
    }

    /// Route to the pod spec.
    pub fn spec_route(&self) -> Route {
        below(self.template, Below::Spec)
    }

    /// Route to the pod template's labels.
    pub fn labels_route(&self) -> Route {
        below(self.template, Below::Labels)
    }

    /// Every container, in the order Pod Security Admission visits them: init containers,
    /// containers, ephemeral containers.
    pub fn containers(&self) -> impl Iterator<Item = ContainerView<'o>> + 'o {
        let spec = self.spec;
        let base = self.spec_route();
        let init = spec.init_containers.iter().flatten().enumerate().map({
            let base = base.clone();
            move |(i, c)| ContainerView {
                kind: ContainerKind::Init,
                index: i,
                container: ContainerRef::Borrowed(c),
                route: base.key("initContainers").index(i),
            }
        });
        let regular = spec.containers.iter().enumerate().map({
            let base = base.clone();
            move |(i, c)| ContainerView {
                kind: ContainerKind::Regular,
                index: i,
                container: ContainerRef::Borrowed(c),
                route: base.key("containers").index(i),
            }
        });
        let ephemeral = spec
            .ephemeral_containers
            .iter()
            .flatten()
            .enumerate()
            .map(move |(i, c)| ContainerView {
                kind: ContainerKind::Ephemeral,
                index: i,
                container: ContainerRef::Owned(Box::new(from_ephemeral(c))),
                route: base.key("ephemeralContainers").index(i),
            });
        init.chain(regular).chain(ephemeral)
    }
}

fn split(t: &k8s_openapi::api::core::v1::PodTemplateSpec) -> (Option<&ObjectMeta>, Option<&PodSpec>) {
    (t.metadata.as_ref(), t.spec.as_ref())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    /// `container`, `init container`, `ephemeral container`, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            ContainerKind::Init => "init container",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

/// One container of a pod template, with its route from the object's root.
#[derive(Clone, Debug)]
pub struct ContainerView<'o> {
    pub kind: ContainerKind,
    pub index: usize,
    pub container: ContainerRef<'o>,
    pub route: Route,
}

/// A container of the pod spec, or an ephemeral container seen as one. The owned one is
/// boxed, so that a view stays small to move (a `Container` is hundreds of bytes, and views
/// are moved through iterator chains for every rule).
#[derive(Clone, Debug)]
pub enum ContainerRef<'o> {
    Borrowed(&'o Container),
    Owned(Box<Container>),
}

impl std::ops::Deref for ContainerRef<'_> {
    type Target = Container;

    fn deref(&self) -> &Container {
        match self {
            ContainerRef::Borrowed(c) => c,
            ContainerRef::Owned(c) => c,
        }
    }
}

impl ContainerView<'_> {
    pub fn name(&self) -> &str {
        &self.container.name
    }

    /// Route to a field of the container's `securityContext`.
    pub fn security_context_route(&self, field: &'static str) -> Route {
        self.route.keys(&["securityContext", field])
    }
}

/// Ephemeral containers have the fields of a container (plus a target); view them as one.
fn from_ephemeral(c: &EphemeralContainer) -> Container {
    Container {
        args: c.args.clone(),
        command: c.command.clone(),
        env: c.env.clone(),
        env_from: c.env_from.clone(),
        image: c.image.clone(),
        image_pull_policy: c.image_pull_policy.clone(),
        lifecycle: c.lifecycle.clone(),
        liveness_probe: c.liveness_probe.clone(),
        name: c.name.clone(),
        ports: c.ports.clone(),
        readiness_probe: c.readiness_probe.clone(),
        resize_policy: c.resize_policy.clone(),
        resources: c.resources.clone(),
        restart_policy: c.restart_policy.clone(),
        restart_policy_rules: c.restart_policy_rules.clone(),
        security_context: c.security_context.clone(),
        startup_probe: c.startup_probe.clone(),
        stdin: c.stdin,
        stdin_once: c.stdin_once,
        termination_message_path: c.termination_message_path.clone(),
        termination_message_policy: c.termination_message_policy.clone(),
        tty: c.tty,
        volume_devices: c.volume_devices.clone(),
        volume_mounts: c.volume_mounts.clone(),
        working_dir: c.working_dir.clone(),
    }
}

/// Whether the image of container `name` is set at deploy time by an automatic OpenShift
/// `ImageChange` trigger (workload-checks.md §0.2): the manifest's `image` is not what runs.
pub fn image_from_trigger(obj: &Object, name: &str) -> bool {
    match &obj.typed {
        Typed::DeploymentConfig(d) => d.image_from_trigger(name),
        _ => false,
    }
}
