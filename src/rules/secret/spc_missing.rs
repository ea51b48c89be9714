//! `secret-spc-missing`: a pod volume of the Secrets Store CSI driver
//! (`csi.driver: secrets-store.csi.k8s.io`) names, in `volumeAttributes.secretProviderClass`,
//! a SecretProviderClass that is not in the pod's namespace in the set; the pod would stay in
//! `ContainerCreating`. Without `complete_set` it is `info`.

use crate::declare_rule;
use crate::engine::{Out, Rule, SetCx, Severity};

declare_rule!(SpcMissing, "secret-spc-missing");

impl Rule for SpcMissing {
    fn check_set(&self, cx: &SetCx<'_>, out: &mut Out<'_>) {
        for r in &cx.index.spc_refs {
            if cx
                .index
                .find("SecretProviderClass", Some(&r.namespace), &r.class)
                .is_some()
            {
                continue;
            }
            let f = out.emit_for(
                &r.obj,
                r.loc,
                format!(
                    "volume `{}` of {} references SecretProviderClass `{}`, which is not in namespace `{}` of the set",
                    r.volume,
                    r.obj.display_name(),
                    r.class,
                    r.namespace
                ),
            );
            f.label("SecretProviderClass not found");
            if !cx.settings.complete_set {
                f.at_most(Severity::Info);
            }
        }
    }
}
