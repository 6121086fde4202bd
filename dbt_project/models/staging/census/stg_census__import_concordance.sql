-- The HTS import lists (imp-code.txt / IMP_CONCORD.TXT), one row per year x HS10 code; see
-- macros/stage_concordance.sql.
{{ stage_concordance('import_concordance', 'imports') }}
