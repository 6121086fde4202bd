-- The Schedule B export lists (exp-code.txt / CONCORD.TXT), one row per year x HS10 code; see
-- macros/stage_concordance.sql.
{{ stage_concordance('atp_concordance', 'exports') }}
