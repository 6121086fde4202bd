-- ATP codes only (hitech 01-10 in that year's own list): the as-published classification.

with

exports_by_code as (

    select * from {{ ref('int_exports_by_code') }}

)

select
    year,
    hs10_code,
    cty_code,
    hitech_code,
    cty_name,
    domestic_value_usd,
    foreign_value_usd,
    export_value_usd,
    non_contiguous_value_usd,
    source_record_count,
    is_synthetic
from exports_by_code
where is_atp
