-- ATP codes only (hitech 01-10 in that flow's and year's own list): the as-published
-- classification, both flows.

with

trade_by_code as (

    select * from {{ ref('int_trade_by_code') }}

)

select
    trade_flow,
    year,
    hs10_code,
    cty_code,
    hitech_code,
    cty_name,
    value_usd,
    domestic_value_usd,
    foreign_value_usd,
    non_contiguous_value_usd,
    consumption_value_usd,
    source_record_count,
    is_synthetic
from trade_by_code
where is_atp
