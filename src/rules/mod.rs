//! Every rule, one per file, grouped by family. The file of rule `<family>-<name>` is
//! `src/rules/<family>/<name>.rs`; rules without a family prefix live in `core/`.

use crate::engine::{ActiveRule, RuleEntry, entry, meta};

pub mod api;
pub mod argocd;
pub mod canary;
pub mod core;
pub mod hpa;
pub mod image;
pub mod kustomize;
pub mod netpol;
pub mod ns;
pub mod pss;
pub mod rbac;
pub mod r#ref;
pub mod sa;
pub mod secret;
pub mod workload;

/// Every rule with its default options and severity, whether on by default or not (for
/// in-memory checks such as the fuzz targets).
pub fn every_rule() -> Vec<ActiveRule> {
    all()
        .into_iter()
        .filter_map(|e| {
            let m = meta(e.id)?;
            let rule = (e.build)(m.default_options()).ok()?;
            Some(ActiveRule {
                id: e.id,
                severity: m.severity,
                rule,
            })
        })
        .collect()
}

/// The registry: every rule plimsoll has.
pub fn all() -> Vec<RuleEntry> {
    vec![
        entry::<api::alpha_version::AlphaVersion>(),
        entry::<api::crd_version::CrdVersion>(),
        entry::<api::deprecated::Deprecated>(),
        entry::<api::removed::Removed>(),
        entry::<argocd::autosync_without_selfheal::AutosyncWithoutSelfheal>(),
        entry::<argocd::ignore_differences_not_respected::IgnoreDifferencesNotRespected>(),
        entry::<argocd::prune_allow_empty::PruneAllowEmpty>(),
        entry::<canary::analysis_skipped::AnalysisSkipped>(),
        entry::<canary::autoscaler_mismatch::AutoscalerMismatch>(),
        entry::<canary::coarse_steps::CoarseSteps>(),
        entry::<canary::failure_threshold_high::FailureThresholdHigh>(),
        entry::<canary::gitops_replicas_conflict::GitopsReplicasConflict>(),
        entry::<canary::invalid_weights::InvalidWeights>(),
        entry::<canary::metric_no_threshold::MetricNoThreshold>(),
        entry::<canary::metric_template_missing::MetricTemplateMissing>(),
        entry::<canary::no_load_test::NoLoadTest>(),
        entry::<canary::no_metrics_or_gates::NoMetricsOrGates>(),
        entry::<canary::target_not_found::TargetNotFound>(),
        entry::<canary::weak_threshold::WeakThreshold>(),
        entry::<core::duplicate_key::DuplicateKey>(),
        entry::<core::duplicate_object::DuplicateObject>(),
        entry::<core::invalid_manifest::InvalidManifest>(),
        entry::<core::unknown_field::UnknownField>(),
        entry::<core::unknown_kind::UnknownKind>(),
        entry::<core::unused_suppression::UnusedSuppression>(),
        entry::<hpa::behavior_absent::BehaviorAbsent>(),
        entry::<hpa::cpu_only::CpuOnly>(),
        entry::<hpa::deprecated_api_version::DeprecatedApiVersion>(),
        entry::<hpa::duplicate_target::DuplicateTarget>(),
        entry::<hpa::invalid_behavior::InvalidBehavior>(),
        entry::<hpa::invalid_bounds::InvalidBounds>(),
        entry::<hpa::metric_target_mismatch::MetricTargetMismatch>(),
        entry::<hpa::min_equals_max::MinEqualsMax>(),
        entry::<hpa::min_replicas_low::MinReplicasLow>(),
        entry::<hpa::missing_resource_requests::MissingResourceRequests>(),
        entry::<hpa::pdb_blocks_eviction::PdbBlocksEviction>(),
        entry::<hpa::scaledown_no_stabilization::ScaledownNoStabilization>(),
        entry::<hpa::scaleup_extreme::ScaleupExtreme>(),
        entry::<hpa::scaling_disabled::ScalingDisabled>(),
        entry::<hpa::target_not_found::TargetNotFound>(),
        entry::<hpa::target_not_scalable::TargetNotScalable>(),
        entry::<hpa::target_replicas_conflict::TargetReplicasConflict>(),
        entry::<image::invalid_reference::InvalidReference>(),
        entry::<image::mutable_tag::MutableTag>(),
        entry::<image::not_digest_pinned::NotDigestPinned>(),
        entry::<image::not_signature_verified::NotSignatureVerified>(),
        entry::<image::registry_not_allowed::RegistryNotAllowed>(),
        entry::<image::verification_not_enforced::VerificationNotEnforced>(),
        entry::<image::verify_digest_not_required::VerifyDigestNotRequired>(),
        entry::<image::verify_namespace_not_opted_in::VerifyNamespaceNotOptedIn>(),
        entry::<image::verify_pattern_unreachable::VerifyPatternUnreachable>(),
        entry::<image::verify_policy_matches_nothing::VerifyPolicyMatchesNothing>(),
        entry::<image::verify_policy_no_attestors::VerifyPolicyNoAttestors>(),
        entry::<kustomize::build_failed::BuildFailed>(),
        entry::<netpol::allow_all::AllowAll>(),
        entry::<netpol::allow_all_rule::AllowAllRule>(),
        entry::<netpol::dangling_peer::DanglingPeer>(),
        entry::<netpol::dangling_policy::DanglingPolicy>(),
        entry::<netpol::egress_deny_without_dns::EgressDenyWithoutDns>(),
        entry::<netpol::egress_only_denies_ingress::EgressOnlyDeniesIngress>(),
        entry::<netpol::invalid_selector::InvalidSelector>(),
        entry::<netpol::ipblock_except_outside_cidr::IpblockExceptOutsideCidr>(),
        entry::<netpol::named_port_unresolved::NamedPortUnresolved>(),
        entry::<netpol::namespace_no_default_deny_egress::NamespaceNoDefaultDenyEgress>(),
        entry::<netpol::namespace_no_default_deny_ingress::NamespaceNoDefaultDenyIngress>(),
        entry::<netpol::rules_ignored_by_policytypes::RulesIgnoredByPolicytypes>(),
        entry::<netpol::workload_not_isolated::WorkloadNotIsolated>(),
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
        entry::<r#ref::configmap_not_found::ConfigmapNotFound>(),
        entry::<r#ref::ingress_backend_not_found::IngressBackendNotFound>(),
        entry::<r#ref::ingress_tls_secret_not_found::IngressTlsSecretNotFound>(),
        entry::<r#ref::priority_class_not_found::PriorityClassNotFound>(),
        entry::<r#ref::pvc_not_found::PvcNotFound>(),
        entry::<r#ref::rollout_service_not_found::RolloutServiceNotFound>(),
        entry::<r#ref::secret_not_found::SecretNotFound>(),
        entry::<r#ref::service_selector_no_match::ServiceSelectorNoMatch>(),
        entry::<r#ref::service_target_port::ServiceTargetPort>(),
        entry::<r#ref::servicemonitor_no_match::ServicemonitorNoMatch>(),
        entry::<r#ref::statefulset_service::StatefulsetService>(),
        entry::<r#ref::storage_class_not_found::StorageClassNotFound>(),
        entry::<rbac::broad_group_subject::BroadGroupSubject>(),
        entry::<rbac::cluster_admin_binding::ClusterAdminBinding>(),
        entry::<rbac::cluster_admin_to_serviceaccount::ClusterAdminToServiceaccount>(),
        entry::<rbac::escalation_verbs::EscalationVerbs>(),
        entry::<rbac::roleref_not_found::RolerefNotFound>(),
        entry::<rbac::secrets_read::SecretsRead>(),
        entry::<rbac::wildcard_rule::WildcardRule>(),
        entry::<sa::automount_token::AutomountToken>(),
        entry::<sa::default_used::DefaultUsed>(),
        entry::<sa::deprecated_field::DeprecatedField>(),
        entry::<sa::not_found::NotFound>(),
        entry::<sa::privileged_token_automounted::PrivilegedTokenAutomounted>(),
        entry::<secret::configmap_sensitive::ConfigmapSensitive>(),
        entry::<secret::env_literal::EnvLiteral>(),
        entry::<secret::externalsecret_deprecated_api::ExternalsecretDeprecatedApi>(),
        entry::<secret::externalsecret_store_missing::ExternalsecretStoreMissing>(),
        entry::<secret::high_entropy_literal::HighEntropyLiteral>(),
        entry::<secret::legacy_sa_token::LegacySaToken>(),
        entry::<secret::plaintext_in_manifest::PlaintextInManifest>(),
        entry::<secret::private_key_literal::PrivateKeyLiteral>(),
        entry::<secret::sealed_cluster_wide::SealedClusterWide>(),
        entry::<secret::sops_partially_encrypted::SopsPartiallyEncrypted>(),
        entry::<secret::spc_missing::SpcMissing>(),
        entry::<secret::token_pattern::TokenPattern>(),
        entry::<secret::url_credentials::UrlCredentials>(),
        entry::<workload::cpu_limit_missing::CpuLimitMissing>(),
        entry::<workload::cpu_request_missing::CpuRequestMissing>(),
        entry::<workload::env_duplicate::EnvDuplicate>(),
        entry::<workload::ephemeral_storage_missing::EphemeralStorageMissing>(),
        entry::<workload::hostnetwork_dns_policy::HostnetworkDnsPolicy>(),
        entry::<workload::image_pull_policy::ImagePullPolicy>(),
        entry::<workload::liveness_probe_missing::LivenessProbeMissing>(),
        entry::<workload::memory_limit_missing::MemoryLimitMissing>(),
        entry::<workload::memory_request_missing::MemoryRequestMissing>(),
        entry::<workload::port_name_invalid::PortNameInvalid>(),
        entry::<workload::priority_class_missing::PriorityClassMissing>(),
        entry::<workload::privileged_port::PrivilegedPort>(),
        entry::<workload::probe_invalid::ProbeInvalid>(),
        entry::<workload::probe_port_undeclared::ProbePortUndeclared>(),
        entry::<workload::probe_port_unresolved::ProbePortUnresolved>(),
        entry::<workload::probes_identical::ProbesIdentical>(),
        entry::<workload::readiness_probe_missing::ReadinessProbeMissing>(),
        entry::<workload::readonly_root_fs::ReadonlyRootFs>(),
        entry::<workload::requests_exceed_limits::RequestsExceedLimits>(),
        entry::<workload::ssh_port::SshPort>(),
    ]
}
