{{ config(severity='warn') }}

-- A warning, never a failure: every export-history HS10 code that is on none of its year's
-- lists and not linked by the code-change concordance, whatever its value (the codes over
-- var max_unlisted_code_value_usd fail assert_unlisted_codes_under_threshold).

select *
from {{ ref('int_hs10_codes_missing_from_list') }}
where not is_resolved
    -- the refreshed years only in a year-incremental build (macros/get_where_subquery.sql)
    and {{ refreshed_years_tested() }}
