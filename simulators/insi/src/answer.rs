//! Writing the `RESULTAT` answer in the layout the patient's world entry asks for: the
//! live service's, the CNDA files', or the DMP kit's (insi-psc.md §1.6).

use segur_core::soap::SOAP12;
use segur_core::world::{Ins, InsiDates, InsiPrefixes, Patient};
use segur_core::xml::escape;

use crate::search::{Code, Outcome};

/// Namespace of `RESULTAT`.
pub const RESULTAT: &str = "http://www.cnamts.fr/INSiResultat";

/// The whole answer envelope.
pub fn envelope(outcome: &Outcome) -> String {
    let behaviour = outcome.patient.as_ref().map(|p| &p.insi);
    let prefixes = behaviour.map_or(InsiPrefixes::Live, |b| b.effective_prefixes());
    let mut w = Writer {
        out: String::with_capacity(1536),
        prefix: if prefixes == InsiPrefixes::Kit {
            "ns2:"
        } else {
            ""
        },
    };
    w.out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    w.out
        .push_str(&format!("<soap:Envelope xmlns:soap=\"{SOAP12}\">"));
    let (body, body_declarations, resultat) = match prefixes {
        InsiPrefixes::Live => (
            "env:Body",
            format!("xmlns:S=\"{SOAP12}\" xmlns:env=\"{SOAP12}\""),
            format!(
                "RESULTAT xmlns=\"{RESULTAT}\" xmlns:ns0=\"http://www.cnamts.fr/INSiRecVit\" xmlns:ns1=\"http://www.cnamts.fr/INSiRecSans\""
            ),
        ),
        InsiPrefixes::Cnda => (
            "S:Body",
            format!("xmlns:S=\"{SOAP12}\""),
            format!(
                "RESULTAT xmlns:ns3=\"http://www.cnamts.fr/INSiRecVit\" xmlns:ns2=\"http://www.cnamts.fr/INSiRecSans\" xmlns=\"{RESULTAT}\""
            ),
        ),
        InsiPrefixes::Kit => (
            "env:Body",
            format!("xmlns:S=\"{SOAP12}\" xmlns:env=\"{SOAP12}\""),
            format!(
                "ns2:RESULTAT xmlns:ns3=\"http://www.cnamts.fr/INSiRecVit\" xmlns:ns2=\"{RESULTAT}\" xmlns=\"http://www.cnamts.fr/INSiRecSans\""
            ),
        ),
    };
    w.out
        .push_str(&format!("<{body} {body_declarations}><{resultat}>"));
    w.open("CR");
    w.leaf("CodeCR", outcome.code.code());
    w.leaf("LibelleCR", outcome.code.label());
    w.close("CR");
    if let (Code::Found, Some(patient)) = (outcome.code, &outcome.patient) {
        individual(&mut w, patient);
    }
    w.close("RESULTAT");
    w.out.push_str(&format!("</{body}></soap:Envelope>"));
    w.out
}

/// Appends elements with the answer's prefix.
struct Writer {
    /// The answer so far.
    out: String,
    /// `ns2:` in the kit layout, empty otherwise.
    prefix: &'static str,
}

impl Writer {
    fn open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(self.prefix);
        self.out.push_str(name);
        self.out.push('>');
    }

    fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(self.prefix);
        self.out.push_str(name);
        self.out.push('>');
    }

    fn leaf(&mut self, name: &str, text: &str) {
        if text.is_empty() {
            self.out.push('<');
            self.out.push_str(self.prefix);
            self.out.push_str(name);
            self.out.push_str("/>");
            return;
        }
        self.open(name);
        self.out.push_str(&escape(text));
        self.close(name);
    }
}

fn individual(w: &mut Writer, p: &Patient) {
    let b = &p.insi;
    let active = p
        .ins
        .as_ref()
        .expect("searches only return patients with an INS");
    w.open("INDIVIDU");
    ins(w, "INSACTIF", active, None, None, b.effective_dates());
    if b.repeat_active_in_history {
        ins(w, "INSHISTO", active, None, None, b.effective_dates());
    }
    for h in &p.ins_history {
        ins(
            w,
            "INSHISTO",
            &h.ins(),
            h.start.as_deref(),
            h.end.as_deref(),
            b.effective_dates(),
        );
    }
    let t = &p.traits;
    let first = t.first_names.first().cloned().unwrap_or_default();
    let traits = [
        ("NomNaissance", t.birth_name.clone()),
        ("Prenom", first),
        ("ListePrenom", t.first_names.join(" ")),
        ("Sexe", t.sex.clone()),
        ("DateNaissance", t.birth_date.to_string()),
        ("LieuNaissance", t.birthplace.clone()),
    ];
    let listed = |list: &[String], name: &str| list.iter().any(|e| e == name);
    w.open("TIQ");
    for (name, value) in traits {
        if listed(&b.absent_traits, name) || (name == "Prenom" && !b.effective_tiq_first_name()) {
            continue;
        }
        let value = if listed(&b.empty_traits, name) {
            String::new()
        } else {
            value
        };
        w.leaf(name, &value);
    }
    w.close("TIQ");
    w.close("INDIVIDU");
}

fn ins(
    w: &mut Writer,
    element: &str,
    ins: &Ins,
    start: Option<&str>,
    end: Option<&str>,
    dates: InsiDates,
) {
    let write_dates = |w: &mut Writer| {
        if let Some(s) = start {
            w.leaf("DateDeb", s);
        }
        if let Some(e) = end {
            w.leaf("DateFin", e);
        }
    };
    w.open(element);
    if dates == InsiDates::CndaOrder {
        write_dates(w);
    }
    w.open("IdIndividu");
    w.leaf("NumIdentifiant", &ins.matricule);
    w.leaf("Cle", &ins.key);
    w.close("IdIndividu");
    w.leaf("OID", &ins.oid);
    if dates == InsiDates::AfterOid {
        write_dates(w);
    }
    w.close(element);
}
