//! Argo CD Applications: sync policies that fight other controllers or delete too much
//! (rule-families §5.2).

use crate::engine::ObjectCx;
use crate::model::Typed;
use crate::model::crd::Application;

pub mod autosync_without_selfheal;
pub mod ignore_differences_not_respected;
pub mod prune_allow_empty;

pub fn application<'a>(cx: &ObjectCx<'a>) -> Option<(&'a Application, &'a str)> {
    match &cx.obj.typed {
        Typed::Application(a) => Some((a, cx.obj.name().unwrap_or("<unnamed>"))),
        _ => None,
    }
}
