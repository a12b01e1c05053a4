//! Where the report's data came from: the sources read, the run, the input files.

use super::*;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ProvenanceSection {
    pub inventory_tool_version: Option<String>,
    pub collected_at: Option<String>,
    pub collected_by: Option<String>,
    pub collected_on: Option<String>,
    pub collection_arguments: Option<String>,
    pub sources: Table,
    pub report_tool_version: String,
    pub generated_at: String,
    pub generated_by: String,
    pub generated_on: String,
    pub report_arguments: String,
    pub template: String,
    /// The engagement files the report was made from, with their SHA-256.
    pub inputs: Table,
}

pub(super) fn provenance(inputs: &Inputs, run: &RunInfo) -> ProvenanceSection {
    let mut p = ProvenanceSection {
        sources: Table::new(
            "prov-sources",
            "Sources read",
            &[
                "Kind",
                "Location",
                "Status",
                "Error",
                "Server version",
                "Read at",
                "Records",
            ],
            "no source recorded",
        ),
        inputs: Table::new(
            "prov-inputs",
            "Engagement files this report was made from",
            &["File", "SHA-256"],
            "none",
        ),
        report_tool_version: crate::model::TOOL_VERSION.to_string(),
        generated_at: when(run.now),
        generated_by: inputs.config.consultant.clone(),
        generated_on: run.host.clone(),
        report_arguments: run.arguments.join(" "),
        template: run.template.clone(),
        ..ProvenanceSection::default()
    };
    p.sources.status_column = Some(2);
    if let Some(inv) = &inputs.inventory {
        p.inventory_tool_version = Some(inv.tool_version.clone());
        p.collected_at = Some(when(inv.collected_at));
        p.collected_by = inv.provenance.collected_by.clone();
        p.collected_on = inv.provenance.host.clone();
        p.collection_arguments =
            (!inv.provenance.arguments.is_empty()).then(|| inv.provenance.arguments.join(" "));
        for s in &inv.sources {
            p.sources.push(vec![
                s.kind.to_string(),
                s.location.clone(),
                // The source's own words: a partial source reads "partial", not "warn".
                match s.status {
                    SourceStatus::Ok => "pass",
                    SourceStatus::Partial => "partial",
                    SourceStatus::Failed => "failed",
                }
                .into(),
                opt(s.error.as_ref()),
                opt(s.server_version.as_ref()),
                opt(s.read_at.map(when)),
                opt(s.records),
            ]);
        }
    }
    for f in &inputs.files {
        p.inputs.push(vec![
            f.path.clone(),
            f.sha256.clone().unwrap_or_else(|| "absent".into()),
        ]);
    }
    p
}
