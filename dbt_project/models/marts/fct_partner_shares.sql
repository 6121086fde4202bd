-- Each partner's share of U.S. ATP trade of each group and flow (partner / world) and the group's share
-- of the partner's ATP trade of the flow (composition share). Exports f.a.s. to the partner; imports
-- general imports at customs value from the partner.

{{ config(**year_incremental_config()) }}

with

partner_values as (

    select * from {{ ref('int_partner_atp_values') }} where {{ only_refreshed_years() }}

),

with_totals as (

    select
        *,
        sum(partner_value_usd) over (partition by trade_flow, year, partner_code, definition) as partner_atp_value_usd
    from partner_values

)

select
    -- ids
    year,
    trade_flow,
    partner_code,
    definition,
    hitech_code,

    -- attributes
    partner_name,
    partner_kind,
    group_name,

    -- measures (whole USD; shares are fractions 0-1)
    partner_value_usd,
    world_value_usd,
    cast(partner_value_usd as {{ dbt.type_float() }}) / nullif(world_value_usd, 0) as partner_share,
    cast(partner_atp_value_usd as {{ dbt.type_bigint() }}) as partner_atp_value_usd,
    cast(partner_value_usd as {{ dbt.type_float() }}) / nullif(partner_atp_value_usd, 0) as composition_share,

    -- flags
    is_synthetic
from with_totals
