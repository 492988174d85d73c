//! Which methods each path takes, read from the gateway's own OpenAPI document, so that a
//! 405 names them in `Allow` and the list cannot drift from the routes.

/// Path templates (`/executions/{id}`) with the methods each takes (`GET, POST`).
pub struct Methods(Vec<(Vec<String>, String)>);

impl Methods {
    /// From an OpenAPI document's `paths`.
    pub fn from_spec(spec: &str) -> Self {
        let spec: serde_json::Value = serde_json::from_str(spec).unwrap_or_default();
        let paths = spec["paths"].as_object().cloned().unwrap_or_default();
        Self(
            paths
                .into_iter()
                .map(|(template, operations)| {
                    let methods: Vec<String> = operations
                        .as_object()
                        .map(|ops| ops.keys().map(|m| m.to_ascii_uppercase()).collect())
                        .unwrap_or_default();
                    (segments(&template), methods.join(", "))
                })
                .collect(),
        )
    }

    /// The methods `path` takes, if it is a path of the API.
    pub fn allowed(&self, path: &str) -> Option<&str> {
        let path = segments(path);
        self.0
            .iter()
            .find(|(template, _)| {
                template.len() == path.len()
                    && template.iter().zip(&path).all(|(want, got)| {
                        (want.starts_with('{') && !got.is_empty()) || want == got
                    })
            })
            .map(|(_, methods)| methods.as_str())
    }
}

fn segments(path: &str) -> Vec<String> {
    path.trim_end_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_matched_to_its_template_and_its_methods() {
        let methods = Methods::from_spec(&crate::openapi_spec());
        assert_eq!(methods.allowed("/execute"), Some("POST"));
        assert_eq!(
            methods.allowed("/executions/3f9c0000-0000-0000-0000-000000000000"),
            Some("GET")
        );
        assert_eq!(methods.allowed("/executions/x/redeliver"), Some("POST"));
        assert_eq!(methods.allowed("/no/such/path"), None);
        assert_eq!(methods.allowed("/executions/"), None);
    }
}
