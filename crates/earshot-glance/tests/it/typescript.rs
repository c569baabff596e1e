//! The UI's TypeScript types are generated from the Rust types it receives and
//! sends (`earshot-model`, and the app's command error): `ui/src/backend/model.ts`
//! must be exactly what this test generates, so a Rust change that the UI has
//! not caught up with fails here (and then in `tsc`), never at run time.
//!
//!     EARSHOT_BLESS=1 cargo test -p earshot-glance --test it typescript
//!
//! regenerates the file; review the diff like any other change.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use ts_rs::{Config, TypeVisitor, TS};

/// Every declarable type reachable from the roots, by TypeScript name.
struct Collect {
    cfg: Config,
    seen: HashSet<TypeId>,
    decls: BTreeMap<String, (String, &'static str)>,
}

impl TypeVisitor for Collect {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        if !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        if T::output_path().is_some() {
            let name = T::ident(&self.cfg);
            let rust = std::any::type_name::<T>();
            if let Some((_, other)) = self.decls.get(&name) {
                panic!("two Rust types are `{name}` in TypeScript: {other} and {rust}; give one a #[ts(rename)]");
            }
            self.decls.insert(name, (T::decl(&self.cfg), rust));
        }
        T::visit_dependencies(self);
        T::visit_generics(self);
    }
}

fn generate() -> String {
    let mut c = Collect {
        // Every integer the protocol carries fits a JS number (sizes, counts,
        // unix seconds, revision numbers are all far below 2^53).
        cfg: Config::new().with_large_int("number"),
        seen: HashSet::new(),
        decls: BTreeMap::new(),
    };
    // What the app's commands return and take (docs/app-commands.md).
    c.visit::<earshot_model::glance::Glance>();
    c.visit::<earshot_model::glance::Preferences>();
    c.visit::<earshot_model::glance::ApplyResult>();
    c.visit::<earshot_model::glance::Confirmed>();
    c.visit::<earshot_model::config::ConfigReport>();
    c.visit::<earshot_model::change::NextStepReport>();
    c.visit::<earshot_model::soak::StepReview>();
    c.visit::<earshot_model::compliance::Report>();
    c.visit::<earshot_model::trail::TrailPage>();
    c.visit::<earshot_model::trail::OutcomeChoice>();
    c.visit::<earshot_model::history::HistoryReport>();
    c.visit::<earshot_model::measure::Measurement>();
    c.visit::<earshot_glance::error::CommandError>();
    let mut out = String::from(
        "// GENERATED from the Rust types (earshot-model, earshot-glance) by\n\
         // crates/earshot-glance/tests/it/typescript.rs — do not edit by hand;\n\
         // regenerate with `EARSHOT_BLESS=1 cargo test -p earshot-glance --test it typescript`.\n",
    );
    for (decl, rust) in c.decls.values() {
        out.push_str(&format!("\n/** {rust} */\nexport {decl}\n"));
    }
    out
}

#[test]
fn the_committed_typescript_is_generated_from_the_rust_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/src/backend/model.ts");
    let want = generate();
    if std::env::var("EARSHOT_BLESS").as_deref() == Ok("1") {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "{} is stale: regenerate it with `EARSHOT_BLESS=1 cargo test -p earshot-glance --test it typescript` and review the diff",
        path.display()
    );
}
