//! Whether a unit is written in UCUM's case-sensitive syntax (c/s), as CR-BIO results
//! may be (DOC/va1.34): a term of unit atoms (with a prefix), integers, annotations
//! `{…}`, `.` for products, `/` for quotients, exponents as trailing digits (`m2`,
//! `10*9`), brackets, and no space. The grammar is checked, not the atoms table: `g/dL`,
//! `10*9/L`, `mmol/L`, `%`, `[IU]/L` pass; `10^9/L`, `g/100 mL`, `µmol/l` do not.

/// Why `unit` is not UCUM c/s, if it is not.
pub fn check(unit: &str) -> Result<(), String> {
    if unit.is_empty() {
        return Err("unité vide".into());
    }
    let mut depth_square = 0i32;
    let mut depth_round = 0i32;
    let mut in_annotation = false;
    for c in unit.chars() {
        if in_annotation {
            if c == '}' {
                in_annotation = false;
            } else if !(' '..='~').contains(&c) {
                return Err(format!("caractère {c:?} hors ASCII dans une annotation"));
            }
            continue;
        }
        match c {
            '{' => in_annotation = true,
            '}' => return Err("accolade fermante sans ouvrante".into()),
            '[' => depth_square += 1,
            ']' => depth_square -= 1,
            '(' => depth_round += 1,
            ')' => depth_round -= 1,
            ' ' => return Err("espace : UCUM n'en admet pas".into()),
            '^' => return Err("« ^ » : UCUM écrit les puissances de 10 « 10*n »".into()),
            c if c.is_ascii_alphanumeric() => {}
            '.' | '/' | '*' | '%' | '\'' | '-' | '+' => {}
            other => return Err(format!("caractère {other:?} hors de la syntaxe UCUM")),
        }
        if depth_square < 0 || depth_round < 0 {
            return Err("crochet ou parenthèse fermant sans ouvrant".into());
        }
    }
    if in_annotation || depth_square != 0 || depth_round != 0 {
        return Err("accolade, crochet ou parenthèse non fermé".into());
    }
    if unit.starts_with('.')
        || unit.ends_with(['.', '/'])
        || unit.contains("..")
        || unit.contains("//")
    {
        return Err("opérateur sans terme".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn ucum_units_pass_printed_ones_do_not() {
        for ok in [
            "g/dL",
            "10*9/L",
            "mmol/L",
            "%",
            "[IU]/L",
            "mg/(24.h)",
            "umol/L",
            "{cells}/uL",
            "m2",
            "10*3/uL",
            "1",
        ] {
            assert_eq!(super::check(ok), Ok(()), "{ok}");
        }
        for bad in [
            "", "10^9/L", "g/100 mL", "µmol/l", "g/", "(mg", "mg]", "{x", "g..L", "°C",
        ] {
            assert!(super::check(bad).is_err(), "{bad}");
        }
    }
}
