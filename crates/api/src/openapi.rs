//! The OpenAPI 3 document, generated from the handler annotations and the view types.

use utoipa::OpenApi;

use crate::envelope::Envelope;
use crate::error::{ErrorBody, ErrorEnvelope};
use crate::routes::{jobs, meta, videos};

#[derive(OpenApi)]
#[openapi(
    info(title = "stylecut", description = "Learn the editing style of a template video and re-edit footage in it."),
    paths(
        meta::health, videos::upload, jobs::create, jobs::list, jobs::get, jobs::result,
        jobs::cancel, jobs::delete, jobs::output, jobs::plan, jobs::webhooks, crate::sse::job_events
    ),
    components(schemas(ErrorEnvelope, ErrorBody, Envelope<serde_json::Value>)),
    modifiers(&Security)
)]
struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let comps = doc.components.get_or_insert_with(Default::default);
        comps.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

pub fn document() -> utoipa::openapi::OpenApi {
    let mut d = ApiDoc::openapi();
    d.info.version = env!("CARGO_PKG_VERSION").to_string();
    d
}
