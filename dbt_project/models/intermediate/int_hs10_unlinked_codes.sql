-- Codes the reconciliation cannot link, per flow, with the trade value they carry (all real
-- countries; exports f.a.s., imports general imports at customs value):
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

trade_by_code as (

    select * from {{ ref('int_trade_by_code') }}

),

code_values as (

    select trade_flow, year, hs10_code, sum(value_usd) as value_usd, {{ dbt.bool_or('is_synthetic') }} as is_synthetic
    from trade_by_code
    group by trade_flow, year, hs10_code

),

unlinked as (

    select trade_flow, year, hs10_code, family_code, published_hitech_code, 'no_base_year_family' as reason
    from classifications
    where not is_linked_to_base_year
    union all
    select movements.trade_flow, movements.year, movements.hs10_code, classifications.family_code, movements.to_hitech_code,
        'no_previous_year_family' as reason
    from movements
    inner join classifications
        on movements.trade_flow = classifications.trade_flow
        and movements.year = classifications.year
        and movements.hs10_code = classifications.hs10_code
    where movements.movement = 'unlinked'

)

select
    unlinked.trade_flow,
    unlinked.year,
    unlinked.hs10_code,
    unlinked.reason,
    unlinked.family_code,
    unlinked.published_hitech_code,
    cast(coalesce(code_values.value_usd, 0) as {{ dbt.type_bigint() }}) as value_usd,
    coalesce(code_values.is_synthetic, false) as is_synthetic
from unlinked
left join code_values
    on unlinked.trade_flow = code_values.trade_flow
    and unlinked.year = code_values.year
    and unlinked.hs10_code = code_values.hs10_code
