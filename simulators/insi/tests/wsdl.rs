//! The served contract resolves offline: `GET /lps?wsdl` and every schema it imports,
//! followed import by import over HTTP, come from the simulator, none from the internet
//! (an offline zeep or wsimport fails on the published `www.w3.org` import otherwise).

mod support;

use std::collections::BTreeSet;

use segur_insi::InsiConfig;
use support::{AUTO, start};

/// The `schemaLocation`s of a WSDL or schema.
fn locations(text: &str) -> Vec<String> {
    text.split("schemaLocation=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_string)
        .collect()
}

/// `relative` resolved against the folder of `base` (both relative to the WSDL).
fn resolve(base: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for part in relative.split('/') {
        match part {
            ".." => {
                parts.pop();
            }
            "." => {}
            p => parts.push(p),
        }
    }
    parts.join("/")
}

#[tokio::test]
async fn the_wsdl_and_every_schema_it_imports_are_served() {
    let bench = start(InsiConfig::default()).await;
    let mut connection = bench.mtls(AUTO).await;
    let wsdl = connection
        .send("GET", "/lps?wsdl", "text/plain", Vec::new())
        .await
        .unwrap();
    assert_eq!(wsdl.status, 200);
    assert!(
        wsdl.body.contains(bench.insi.mtls_url()),
        "the address is the simulator's"
    );
    let mut pending: Vec<(String, String)> = locations(&wsdl.body)
        .into_iter()
        .map(|l| ("lps.wsdl".to_string(), l))
        .collect();
    let mut fetched = BTreeSet::new();
    while let Some((base, location)) = pending.pop() {
        assert!(
            !location.contains("://"),
            "{base} imports {location} from the network"
        );
        let path = resolve(&base, &location);
        if !fetched.insert(path.clone()) {
            continue;
        }
        let answer = connection
            .send("GET", &format!("/{path}"), "text/plain", Vec::new())
            .await
            .unwrap();
        assert_eq!(answer.status, 200, "{base} imports {path}: {}", answer.body);
        pending.extend(
            locations(&answer.body)
                .into_iter()
                .map(|l| (path.clone(), l)),
        );
    }
    assert!(
        fetched.contains("xsd/WSA/ws-addr.xsd"),
        "WS-Addressing is served: {fetched:?}"
    );
}
