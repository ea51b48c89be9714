//! Every rule, one per file, grouped by family. The file of rule `<family>-<name>` is
//! `src/rules/<family>/<name>.rs`; rules without a family prefix live in `core/`.

use crate::engine::{RuleEntry, entry};

pub mod core;
pub mod image;
pub mod ns;
pub mod pss;
pub mod secret;

/// The registry: every rule plimsoll has.
pub fn all() -> Vec<RuleEntry> {
    vec![
        entry::<core::duplicate_key::DuplicateKey>(),
        entry::<core::invalid_manifest::InvalidManifest>(),
        entry::<core::unknown_field::UnknownField>(),
        entry::<core::unused_suppression::UnusedSuppression>(),
        entry::<image::mutable_tag::MutableTag>(),
        entry::<image::not_digest_pinned::NotDigestPinned>(),
        entry::<ns::psa_audit_warn_without_enforce::PsaAuditWarnWithoutEnforce>(),
        entry::<ns::psa_enforce_missing::PsaEnforceMissing>(),
        entry::<ns::psa_enforce_privileged::PsaEnforcePrivileged>(),
        entry::<ns::psa_invalid_label::PsaInvalidLabel>(),
        entry::<pss::allow_privilege_escalation::AllowPrivilegeEscalation>(),
        entry::<pss::app_armor::AppArmor>(),
        entry::<pss::capabilities_baseline::CapabilitiesBaseline>(),
        entry::<pss::capabilities_restricted::CapabilitiesRestricted>(),
        entry::<pss::host_namespaces::HostNamespaces>(),
        entry::<pss::host_path_volumes::HostPathVolumes>(),
        entry::<pss::host_ports::HostPorts>(),
        entry::<pss::host_probes::HostProbes>(),
        entry::<pss::privileged::Privileged>(),
        entry::<pss::proc_mount::ProcMount>(),
        entry::<pss::proc_mount_restricted::ProcMountRestricted>(),
        entry::<pss::restricted_volumes::RestrictedVolumes>(),
        entry::<pss::run_as_non_root::RunAsNonRoot>(),
        entry::<pss::run_as_user::RunAsUser>(),
        entry::<pss::seccomp_baseline::SeccompBaseline>(),
        entry::<pss::seccomp_restricted::SeccompRestricted>(),
        entry::<pss::selinux::Selinux>(),
        entry::<pss::sysctls::Sysctls>(),
        entry::<pss::windows_host_process::WindowsHostProcess>(),
        entry::<secret::plaintext_in_manifest::PlaintextInManifest>(),
    ]
}
