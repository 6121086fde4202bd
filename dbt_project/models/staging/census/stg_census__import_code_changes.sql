-- The HTS code-change links (hts10_changes.csv); see macros/stage_code_changes.sql.
{{ stage_code_changes('import_code_changes', 'imports') }}
