{{ config(severity='error', meta={'dagster': {'ref': {'name': 'stg_census__export_history'}}}) }}

-- Plausibility of single records: no export history record may carry more than
-- var max_record_share_of_world_atp (1 %) of the year's published world ATP exports (country
-- trade code 0007); var max_record_share_of_world_atp_synthetic (5 %) for the SYNTHETIC sample,
-- whose few thousand records a year are each far larger than real ones. A real record is one
-- HS10 code x country x district x month x DF; in real Census years the largest (airplanes to one
-- country in one month) stay well under 1 % of the ATP total. The share bound applies to years of
-- at least var min_records_for_record_share (1,000) records (a hand-made test year of a dozen
-- records is all large shares); in every year no record may exceed var max_record_value_usd
-- (50 billion USD, an eighth of all U.S. ATP exports in a year). A larger one is a keying or
-- layout error (e.g. a value of 999999999999) that the world-total test alone might not show.
-- Returns the offending records with their file and record number.

with

export_history as (

    select * from {{ ref('stg_census__export_history') }}

),

year_sizes as (

    select year, count(*) as records from export_history group by year

),

world_atp as (

    select year, exports_total_usd
    from {{ ref('stg_census__country_trade') }}
    where cty_code = '0007'

)

select
    export_history.source_file,
    export_history.source_record,
    export_history.year,
    export_history.hs10_code,
    export_history.cty_code,
    export_history.value_usd,
    world_atp.exports_total_usd as world_atp_usd,
    export_history.value_usd / nullif(world_atp.exports_total_usd, 0) as share_of_world_atp
from export_history
inner join year_sizes on export_history.year = year_sizes.year
left join world_atp on export_history.year = world_atp.year
where export_history.value_usd > {{ var('max_record_value_usd') }}
    or (
        year_sizes.records >= {{ var('min_records_for_record_share') }}
        and export_history.value_usd > world_atp.exports_total_usd * case
            when export_history.is_synthetic then {{ var('max_record_share_of_world_atp_synthetic') }}
            else {{ var('max_record_share_of_world_atp') }}
        end
    )
