{{ config(severity='error', meta={'dagster': {'ref': {'name': 'fct_atp_trade'}}}) }}

-- Country rows of the partner marts must be single countries only (partner groups come from
-- the seed partner_groups): a grouping code (0001 OPEC, 0003 EU,
-- 0007 ATP total, 0015 World, ...; aggregate rows sit beside the detail) would double-count the world.
-- Returns every offending row.

with

atp_trade as (

    select * from {{ ref('fct_atp_trade') }}

),

partner_shares as (

    select * from {{ ref('fct_partner_shares') }}
    where partner_kind = 'country'

),

partner_rows as (

    select 'fct_atp_trade' as model_name, year, cty_code, hitech_code
    from atp_trade

    union all

    select 'fct_partner_shares' as model_name, year, partner_code as cty_code, hitech_code
    from partner_shares

)

select *
from partner_rows
where cty_code is null
    or cty_code like '0%'
    or not {{ is_real_country('cty_code') }}
