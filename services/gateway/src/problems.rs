//! `PUT /problems/{name}`'s body, and what a submission that names a problem gets from it:
//! the problem's checker, looked up once, here, before the submission is queued.

use exec_engine::problems::{Problem, Problems};
use exec_engine::Submission;
use poem::{Request, RequestBody};
use poem_openapi::payload::{ParsePayload, Payload};
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Type;
use poem_openapi::{impl_apirequest_for_payload, Object};

use crate::error::ApiError;
use crate::submission_body::{app_state, read_body, CheckerBody};

/// A registered problem: how the submissions that name it are judged.
#[derive(Object)]
#[oai(rename = "Problem")]
pub struct ProblemDocument {
    pub checker: CheckerBody,
}

impl From<Problem> for ProblemDocument {
    fn from(problem: Problem) -> Self {
        let checker = problem.checker;
        Self {
            checker: CheckerBody {
                language: checker.language.to_string(),
                code: checker.code,
                function_name: checker.function_name,
            },
        }
    }
}

/// A request body read and checked into a [`Problem`].
pub struct ProblemBody(pub Problem);

impl Payload for ProblemBody {
    const CONTENT_TYPE: &'static str = "application/json";

    fn check_content_type(content_type: &str) -> bool {
        crate::submission_body::SubmissionBody::check_content_type(content_type)
    }

    fn schema_ref() -> MetaSchemaRef {
        ProblemDocument::schema_ref()
    }

    fn register(registry: &mut Registry) {
        ProblemDocument::register(registry);
    }
}

impl ParsePayload for ProblemBody {
    const IS_REQUIRED: bool = true;

    async fn from_request(request: &Request, body: &mut RequestBody) -> poem::Result<Self> {
        let state = app_state(request);
        let bytes = read_body(request, state, body, state.max_body_bytes).await?;
        Problem::parse(&bytes, &state.limits)
            .map(ProblemBody)
            .map_err(|err| ApiError::from(err).into())
    }
}

impl_apirequest_for_payload!(ProblemBody);

/// Why a submission that names a problem cannot go on.
pub enum Unresolved {
    /// No problem of that name is registered.
    Unknown(ApiError),
    /// The bucket did not answer.
    Unavailable(exec_engine::problems::ProblemsError),
}

/// Gives `submission` the checker of the problem it names, if it names one and brings no
/// checker of its own (which wins). A problem nobody registered is a 404, as a reference
/// to any other missing resource is.
pub async fn resolve(problems: &Problems, submission: &mut Submission) -> Result<(), Unresolved> {
    let Some(name) = &submission.problem else {
        return Ok(());
    };
    match problems.get(name).await {
        Ok(Some(problem)) => {
            submission.checker.get_or_insert(problem.checker);
            Ok(())
        }
        Ok(None) => Err(Unresolved::Unknown(ApiError::UnknownProblem(name.clone()))),
        Err(err) => Err(Unresolved::Unavailable(err)),
    }
}
