{%- set months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun',
                  'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] -%}

with

source as (

    select * from {{ source('census', 'country_trade') }}

),

renamed as (

    select
        -- ids
        year,
        cty_code,

        -- attributes
        cty_name,
        {{ is_real_country('cty_code') }} as is_real_country,
        months_reported,
        months_reported = 12 as is_complete_year,

        -- measures: exports (f.a.s.), millions of USD as published
        eyr as exports_total_usd_millions,
        cast(cast(eyr as decimal(24, 6)) * 1000000 as decimal(24, 2)) as exports_total_usd,
        {%- for month in months %}
        e{{ month }} as exports_{{ month }}_usd_millions,
        {%- endfor %}

        -- measures: imports, millions of USD as published
        iyr as imports_total_usd_millions,
        cast(cast(iyr as decimal(24, 6)) * 1000000 as decimal(24, 2)) as imports_total_usd,
        {%- for month in months %}
        i{{ month }} as imports_{{ month }}_usd_millions,
        {%- endfor %}

        -- lineage
        source_file,
        source_record,
        is_synthetic

    from source

)

select * from renamed
