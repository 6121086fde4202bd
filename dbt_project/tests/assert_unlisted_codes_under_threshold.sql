{{ config(severity='error') }}

-- Export-history HS10 codes on none of their year's Schedule B lists and not linked by the
-- code-change concordance (int_hs10_codes_missing_from_list) drop out of the ATP fact. A few
-- small ones are normal (codes retired in January stay acceptable for about 30 days); one that
-- carries more than var max_unlisted_code_value_usd in a year means a list or a code change is
-- missing, and fails the build. Returns the offending codes with their months, value and the
-- first source record; the row's resolution column says how to fix it.

select *
from {{ ref('int_hs10_codes_missing_from_list') }}
where not is_resolved
    -- the refreshed years only in a year-incremental build (macros/get_where_subquery.sql)
    and {{ refreshed_years_tested() }}
    and is_over_threshold
