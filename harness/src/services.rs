//! The simulators `serve` starts. Each simulator crate adds one line here.

use segur_core::bench::Service;

use crate::cli::{ServeArgs, SignatureMode, VerifyMode};

/// Every registered simulator, in start order, configured from the command line.
pub fn registered(args: &ServeArgs) -> Vec<Box<dyn Service>> {
    let insi = segur_insi::InsiConfig {
        signatures: match args.insi_signatures {
            SignatureMode::Strict => segur_insi::SignaturePolicy::Strict,
            SignatureMode::Lenient => segur_insi::SignaturePolicy::Lenient,
        },
        verify: match args.insi_verify {
            VerifyMode::Search => segur_insi::VerifyPolicy::SearchAndCompare,
            VerifyMode::Off => segur_insi::VerifyPolicy::NotOffered,
        },
        ..segur_insi::InsiConfig::default()
    };
    let seconds = std::time::Duration::from_secs;
    let psc = segur_psc::PscConfig {
        access_token: seconds(args.psc_access_token),
        refresh_token: seconds(args.psc_refresh_token),
        sso_max: seconds(args.psc_sso_max),
        sso_idle: seconds(args.psc_sso_idle),
        ..segur_psc::PscConfig::default()
    };
    vec![
        Box::new(segur_insi::InsiService { config: insi }),
        Box::new(segur_psc::PscService {
            config: psc,
            signing_key: None,
        }),
        Box::new(segur_dmp::DmpService::default()),
        Box::new(segur_mssante::MssanteService::default()),
        Box::new(segur_hl7::Hl7Service::default()),
        Box::new(segur_annuaire::AnnuaireService::default()),
    ]
}
