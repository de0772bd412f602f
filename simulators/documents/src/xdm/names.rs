//! The archive's tree: `INDEX.HTM` and `README.TXT` at the root, every document under
//! `IHE_XDM/SUBSETnn/`, and every path component an upper-case ISO 9660 8.3 name.

use segur_core::finding::Finding;

use crate::rules;

/// Whether `name` is an upper-case 8.3 name: 1–8 of `A-Z 0-9 _`, optionally a dot and
/// 1–3 more.
pub fn is_8_3(name: &str) -> bool {
    let ok = |part: &str, max: usize| {
        !part.is_empty()
            && part.len() <= max
            && part
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    };
    match name.split_once('.') {
        Some((stem, extension)) => ok(stem, 8) && ok(extension, 3),
        None => ok(name, 8),
    }
}

/// The subset folder (`IHE_XDM/SUBSET01`) a file path lies in, if any.
pub fn subset_of(path: &str) -> Option<&str> {
    let mut parts = path.splitn(3, '/');
    let (root, subset, _) = (parts.next()?, parts.next()?, parts.next()?);
    (root.eq_ignore_ascii_case("IHE_XDM")).then(|| &path[..root.len() + 1 + subset.len()])
}

/// Checks the tree of `files` (paths of file entries).
pub fn check_tree(files: &[String], findings: &mut Vec<Finding>) {
    for required in ["INDEX.HTM", "README.TXT"] {
        if !files.iter().any(|f| f == required) {
            let near = files.iter().find(|f| f.eq_ignore_ascii_case(required));
            findings.push(
                rules::XDM_TREE
                    .finding(match near {
                        Some(n) => format!("{required} is missing at the archive's root ({n} is there: names are upper case)"),
                        None => format!("{required} is missing at the archive's root"),
                    })
                    .at(required),
            );
        }
    }
    if !files.iter().any(|f| f.starts_with("IHE_XDM/")) {
        findings.push(
            rules::XDM_TREE
                .finding("no IHE_XDM/ folder: the documents go in IHE_XDM/SUBSETnn/")
                .at("IHE_XDM/"),
        );
    }
    for file in files {
        let components: Vec<&str> = file.split('/').collect();
        let placed = match components.as_slice() {
            [_] => true,
            [root, subset, _] => {
                root.eq_ignore_ascii_case("IHE_XDM")
                    && subset.to_ascii_uppercase().starts_with("SUBSET")
            }
            _ => false,
        };
        if !placed {
            findings.push(
                rules::XDM_TREE
                    .finding(format!(
                        "{file} is outside the XDM layout (root files, or IHE_XDM/SUBSETnn/FILE)"
                    ))
                    .at(file.clone()),
            );
        }
        if let Some(bad) = components.iter().find(|c| !is_8_3(c)) {
            findings.push(
                rules::XDM_NAMES
                    .finding(format!("{bad:?} in {file} is not an upper-case 8.3 name"))
                    .at(file.clone()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_three_names() {
        for (name, ok) in [
            ("DOC0001.XML", true),
            ("IHE_XDM", true),
            ("SUBSET01", true),
            ("README.TXT", true),
            ("doc0001.xml", false),
            ("DOCUMENT01.XML", false),
            ("DOC0001.XMLX", false),
            ("DOC-1.XML", false),
            ("", false),
            (".XML", false),
            ("A.B.C", false),
        ] {
            assert_eq!(is_8_3(name), ok, "{name}");
        }
    }

    #[test]
    fn subsets() {
        assert_eq!(
            subset_of("IHE_XDM/SUBSET01/DOC0001.XML"),
            Some("IHE_XDM/SUBSET01")
        );
        assert_eq!(subset_of("INDEX.HTM"), None);
        assert_eq!(subset_of("IHE_XDM/X"), None);
    }
}
