-- The Schedule B code-change links (hs10_changes.csv); see macros/stage_code_changes.sql.
{{ stage_code_changes('hs10_code_changes', 'exports') }}
