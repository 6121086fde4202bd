-- Who each partner is, year by year: every single country of the year's Census country list is
-- a partner of its own (partner_code = its Schedule C code), and every partner group of the
-- seed partner_groups (e.g. CN_HK, China + Hong Kong) is a partner for the years its rows
-- cover, made of its member countries. Census's own groupings (0xxx codes, e.g. 0003 European
-- Union) are never partners: their trade is already in their members'.

with

countries as (

    select * from {{ ref('stg_census__countries') }}

),

partner_groups as (

    select * from {{ ref('partner_groups') }}

),

country_years as (

    select year, cty_code, cty_name
    from countries
    where is_real_country

),

years as (

    select distinct year from country_years

),

countries_as_partners as (

    select
        year,
        cty_code as partner_code,
        cty_name as partner_name,
        'country' as partner_kind,
        cty_code
    from country_years

),

groups_as_partners as (

    select
        years.year,
        partner_groups.partner_code,
        partner_groups.partner_name,
        'group' as partner_kind,
        partner_groups.cty_code
    from partner_groups
    inner join years
        on years.year >= partner_groups.first_year
        and (partner_groups.last_year is null or years.year <= partner_groups.last_year)

)

select * from countries_as_partners
union all
select * from groups_as_partners
