// The DuckDB warehouse: the engine-neutral core over the DuckDB driver.
import { createWarehouse } from "../core.ts";
import type { Warehouse } from "../types.ts";
import { type DuckDbOptions, duckDbDriver } from "./driver.ts";

export const createDuckDbWarehouse = async (o: DuckDbOptions): Promise<Warehouse> =>
  createWarehouse(await duckDbDriver(o));
