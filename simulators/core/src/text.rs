//! Comparing French names and words as people write them: the accented letters read as
//! their base letter (a directory search, a sender's label).

/// The base letter of a French accented letter (`é` → `e`, `Ç` → `C`), the letter itself
/// otherwise; the case is kept.
pub fn base_letter(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' => 'a',
        'À' | 'Â' | 'Ä' => 'A',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'î' | 'ï' => 'i',
        'Î' | 'Ï' => 'I',
        'ô' | 'ö' => 'o',
        'Ô' | 'Ö' => 'O',
        'ù' | 'û' | 'ü' => 'u',
        'Ù' | 'Û' | 'Ü' => 'U',
        'ç' => 'c',
        'Ç' => 'C',
        'ÿ' => 'y',
        'Ÿ' => 'Y',
        c => c,
    }
}

#[cfg(test)]
mod tests {
    use super::base_letter;

    #[test]
    fn accented_letters_read_as_their_base_letter_in_their_case() {
        let read: String = "Hélène Çà-où ÿ Zoë".chars().map(base_letter).collect();
        assert_eq!(read, "Helene Ca-ou y Zoe");
    }
}
