-- U.S. ATP exports by country and ATP group, as published: the exports of fct_atp_trade under
-- the column names this mart has always had (export_value_usd = domestic + foreign, f.a.s.).
{{ config(materialized='view') }}

with

trade as (

    select * from {{ ref('fct_atp_trade') }}

)

select
    -- ids
    year,
    cty_code,
    hitech_code,

    -- attributes
    cty_name,
    group_name,

    -- measures (whole USD, f.a.s.)
    value_usd as export_value_usd,
    domestic_value_usd,
    foreign_value_usd,
    hs10_code_count,
    source_record_count,

    -- flags
    is_synthetic
from trade
where trade_flow = 'exports'
