//! The headers a security team expects on every answer: a Content Security
//! Policy fitted to the portal, no MIME sniffing, no referrer, no framing,
//! HSTS behind TLS, and no caching of API answers (they carry personal
//! data, sessions' CSRF tokens and API keys' secrets).

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

/// The headers, made once at start-up.
#[derive(Clone, Debug)]
pub struct SecurityHeaders {
    fixed: Vec<(HeaderName, HeaderValue)>,
}

impl SecurityHeaders {
    /// `index` is the portal's `index.html` (its inline start-up script is
    /// allowed by hash, nothing else inline); `tls` adds HSTS.
    pub fn new(index: Option<&str>, tls: bool) -> SecurityHeaders {
        let scripts: String = index
            .map(inline_scripts)
            .unwrap_or_default()
            .iter()
            .map(|s| {
                let digest = Sha256::digest(s.as_bytes());
                format!(
                    " 'sha256-{}'",
                    base64::engine::general_purpose::STANDARD.encode(digest)
                )
            })
            .collect();
        // 'wasm-unsafe-eval' lets the portal compile its WebAssembly; it
        // does not allow eval of JavaScript.
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{scripts}; \
             style-src 'self'; img-src 'self' data:; connect-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        );
        let mut fixed = vec![
            (header::CONTENT_SECURITY_POLICY, csp),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
            (header::REFERRER_POLICY, "no-referrer".to_owned()),
            (header::X_FRAME_OPTIONS, "DENY".to_owned()),
            (
                HeaderName::from_static("cross-origin-opener-policy"),
                "same-origin".to_owned(),
            ),
        ];
        if tls {
            fixed.push((
                header::STRICT_TRANSPORT_SECURITY,
                "max-age=31536000; includeSubDomains".to_owned(),
            ));
        }
        SecurityHeaders {
            fixed: fixed
                .into_iter()
                .filter_map(|(k, v)| HeaderValue::from_str(&v).ok().map(|v| (k, v)))
                .collect(),
        }
    }
}

/// The contents of `<script>` elements without a `src`, as the browser
/// hashes them (exactly the text between the tags).
fn inline_scripts(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some((_, after)) = rest.split_once("<script") {
        let Some((attributes, body)) = after.split_once('>') else {
            break;
        };
        let Some((text, next)) = body.split_once("</script>") else {
            break;
        };
        if !attributes.contains("src=") {
            found.push(text);
        }
        rest = next;
    }
    found
}

/// Adds the headers to every answer; API answers are not stored by any
/// cache unless their handler said otherwise.
pub async fn add(
    axum::extract::State(headers): axum::extract::State<SecurityHeaders>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let map = response.headers_mut();
    for (name, value) in &headers.fixed {
        map.entry(name).or_insert_with(|| value.clone());
    }
    if api {
        map.entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_sourced_ones_skipped() {
        let html = "<head><script src=\"/a.js\"></script>\n<script type=\"module\">\nimport x;\n</script><link></head>";
        assert_eq!(inline_scripts(html), vec!["\nimport x;\n"]);
        assert!(inline_scripts("<script type=module>unterminated").is_empty());
    }
}
