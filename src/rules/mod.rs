//! Every rule, one per file, grouped by family. The file of rule `<family>-<name>` is
//! `src/rules/<family>/<name>.rs`; rules without a family prefix live in `core/`.

use crate::engine::{ActiveRule, RuleEntry, entry, meta};

pub mod argocd;
pub mod canary;
pub mod core;
pub mod hpa;
pub mod image;
pub mod kustomize;
pub mod netpol;
pub mod ns;
pub mod pss;
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
        entry::<workload::cronjob_concurrency::CronjobConcurrency>(),
        entry::<workload::cronjob_deadline::CronjobDeadline>(),
        entry::<workload::cronjob_schedule_invalid::CronjobScheduleInvalid>(),
        entry::<workload::job_restart_policy::JobRestartPolicy>(),
        entry::<workload::job_ttl::JobTtl>(),
        entry::<workload::job_unbounded::JobUnbounded>(),
        entry::<workload::pdb_blocks_eviction::PdbBlocksEviction>(),
        entry::<workload::pdb_budget_invalid::PdbBudgetInvalid>(),
        entry::<workload::pdb_missing::PdbMissing>(),
        entry::<workload::pdb_selector::PdbSelector>(),
        entry::<workload::pdb_unhealthy_eviction_policy::PdbUnhealthyEvictionPolicy>(),
        entry::<workload::recreate_strategy::RecreateStrategy>(),
        entry::<workload::replicas_not_spread::ReplicasNotSpread>(),
        entry::<workload::rollout_all_unavailable::RolloutAllUnavailable>(),
        entry::<workload::rollout_strategy_invalid::RolloutStrategyInvalid>(),
        entry::<workload::selector_mismatch::SelectorMismatch>(),
        entry::<workload::single_replica::SingleReplica>(),
    ]
}
