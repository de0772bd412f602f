//! The wallet's pages, in French: the e-CPS login page where a person picks a test
//! professional, and the error page shown when the request cannot be sent back to the
//! client (unknown client, untrusted redirect URI).

use segur_core::world::World;

/// Escapes text for HTML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A profession's label (TRE_G15).
fn profession(code: &str) -> &'static str {
    match code {
        "10" => "Médecin",
        "21" => "Pharmacien",
        "40" => "Chirurgien-dentiste",
        "50" => "Sage-femme",
        "60" => "Infirmier",
        "70" => "Masseur-kinésithérapeute",
        _ => "Professionnel de santé",
    }
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;color:#161616}\
h1{font-size:1.4rem;color:#000091}label{display:block;padding:.4rem;border:1px solid #ddd;margin:.3rem 0;border-radius:4px}\
button{padding:.5rem 1rem;margin:.5rem .5rem 0 0;border-radius:4px;border:1px solid #000091}\
.primary{background:#000091;color:#fff}.note{color:#666;font-size:.85rem}";

fn frame(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>{STYLE}</style></head><body>{body}\
         <p class=\"note\">Pro Santé Connect simulé par segur-bench — environnement de test, aucune donnée réelle.</p>\
         </body></html>",
        escape(title)
    )
}

/// The login page of pending transaction `tx` for `client_name`.
pub fn login(world: &World, tx: &str, client_name: &str) -> String {
    let mut options = String::new();
    for (i, p) in world.professionals.iter().enumerate() {
        let title = p
            .title
            .as_deref()
            .map(|t| format!("{t} "))
            .unwrap_or_default();
        options.push_str(&format!(
            "<label><input type=\"radio\" name=\"professional\" value=\"{}\"{}> {}{} {} — {} (n° {})</label>",
            escape(&p.id),
            if i == 0 { " checked" } else { "" },
            escape(&title),
            escape(&p.given_name),
            escape(&p.family_name),
            profession(&p.profession),
            escape(&p.national_id),
        ));
    }
    frame(
        "Pro Santé Connect — Connexion",
        &format!(
            "<h1>Connexion avec Pro Santé Connect</h1>\
             <p>L'application <strong>{}</strong> demande à vous identifier.</p>\
             <form method=\"post\" action=\"/auth/login\">\
             <input type=\"hidden\" name=\"tx\" value=\"{}\">\
             <p>Choisissez le professionnel de test qui s'authentifie :</p>{options}\
             <button class=\"primary\" type=\"submit\" name=\"action\" value=\"authenticate\">S'authentifier avec e-CPS</button>\
             <button type=\"submit\" name=\"action\" value=\"refuse\">Refuser</button>\
             </form>",
            escape(client_name),
            escape(tx),
        ),
    )
}

/// An error page that cannot be sent to the client.
pub fn error(title: &str, detail: &str) -> String {
    frame(
        "Pro Santé Connect — Erreur",
        &format!(
            "<h1>{}</h1><p>{}</p><p class=\"note\">La demande n'a pas été renvoyée à l'application : \
             son adresse de retour n'est pas une adresse enregistrée.</p>",
            escape(title),
            escape(detail)
        ),
    )
}

/// The page after logout when no return address was given.
pub fn logged_out() -> String {
    frame(
        "Pro Santé Connect — Déconnexion",
        "<h1>Vous êtes déconnecté</h1><p>Votre session Pro Santé Connect est terminée.</p>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_page_lists_professionals_and_escapes_everything() {
        let world = World::embedded().unwrap();
        let page = login(&world, "t\"x<", "LPS <démo>");
        assert!(page.contains("S'authentifier avec e-CPS"));
        assert!(page.contains("value=\"dr-legrand\""));
        assert!(page.contains("LEGRAND"));
        assert!(page.contains("t&quot;x&lt;"));
        assert!(page.contains("LPS &lt;démo&gt;"));
        assert!(!page.contains("<démo>"));
    }
}
