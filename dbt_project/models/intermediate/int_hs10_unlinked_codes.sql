-- Codes the reconciliation cannot link, with the export value they carry (all real countries):
-- 'no_base_year_family'  the code's family has no code on the base year's list, so the fixed
--                        definition cannot classify it (it is left out of fixed_<base>);
-- 'no_previous_year_family'  an ATP code whose family has no code on the previous year's list,
--                        so chain-linked growth cannot follow it.

with

classifications as (

    select * from {{ ref('int_hs10_code_classifications') }}

),

movements as (

    select * from {{ ref('int_atp_code_movements') }}

),

exports_by_code as (

    select * from {{ ref('int_exports_by_code') }}

),

code_values as (

    select year, hs10_code, sum(export_value_usd) as export_value_usd, {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from exports_by_code
    group by year, hs10_code

),

unlinked as (

    select year, hs10_code, family_code, published_hitech_code, 'no_base_year_family' as reason
    from classifications
    where not is_linked_to_base_year
    union all
    select movements.year, movements.hs10_code, classifications.family_code, movements.to_hitech_code,
        'no_previous_year_family' as reason
    from movements
    inner join classifications
        on movements.year = classifications.year
        and movements.hs10_code = classifications.hs10_code
    where movements.movement = 'unlinked'

)

select
    unlinked.year,
    unlinked.hs10_code,
    unlinked.reason,
    unlinked.family_code,
    unlinked.published_hitech_code,
    cast(coalesce(code_values.export_value_usd, 0) as {{ dbt.type_bigint() }}) as export_value_usd,
    coalesce(code_values.is_synthetic, false) as is_synthetic
from unlinked
left join code_values
    on unlinked.year = code_values.year
    and unlinked.hs10_code = code_values.hs10_code
