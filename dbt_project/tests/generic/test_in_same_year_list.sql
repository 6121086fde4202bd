{#-
    Fails with one row per year x code of `model` whose `column_name` is missing from the
    same year's list in `to` (e.g. an export history HS10 code absent from that year's
    CONCORD.TXT, or a country code absent from that year's COUNTRY.TXT): such records would
    silently drop out of the fact. Each row carries the value it holds and where the first
    such source record is.
    Usage (column level):
        data_tests:
          - in_same_year_list:
              arguments:
                to: ref('stg_census__atp_concordance')
                field: hs10_code
-#}
{% test in_same_year_list(model, column_name, to, field) %}

with

records as (

    select * from {{ model }}

),

list as (

    select distinct year, {{ field }} as code from {{ to }}

)

select
    records.year,
    records.{{ column_name }} as code,
    count(*) as record_count,
    sum(records.value_usd) as value_usd,
    min(records.source_file) as first_source_file,
    min(records.source_record) as first_source_record
from records
left join list
    on records.year = list.year
    and records.{{ column_name }} = list.code
where list.code is null
group by records.year, records.{{ column_name }}

{% endtest %}
