import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { PERMISSION_METADATA, PUBLIC_METADATA, type RequiredPermission } from './decorators';

/** One HTTP route of an application, as the guard sees it. */
export interface RouteInfo {
  /** `GET`, `POST`, ... */
  method: string;
  /** Full path pattern with Nest params, e.g. `/registered-models/:name/versions`. */
  path: string;
  /** `ControllerClass.handlerName`. */
  handler: string;
  /** The permission declared by `@RequirePermission` (method wins over class), if any. */
  declared?: RequiredPermission;
  /** True when declared `@Public()`. */
  isPublic: boolean;
}

const joinPath = (...parts: string[]): string => {
  const joined = parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
};

type AnyModule = Type<unknown> | DynamicModule | Promise<DynamicModule> | { forwardRef: () => unknown };

/**
 * Lists every controller route reachable from `root` by walking module metadata (static imports
 * and dynamic modules) WITHOUT instantiating anything (no database, no Kafka): what a boot-time
 * or unit-test check uses to find routes without a permission declaration (default-deny).
 * Promise-returning (async) dynamic imports are skipped (none exist in Strata).
 */
export function collectRoutes(root: AnyModule): RouteInfo[] {
  const seenModules = new Set<unknown>();
  const seenControllers = new Set<unknown>();
  const routes: RouteInfo[] = [];
  const visit = (mod: AnyModule | undefined): void => {
    if (!mod || seenModules.has(mod) || mod instanceof Promise) return;
    seenModules.add(mod);
    if ('forwardRef' in mod && typeof mod.forwardRef === 'function') return visit(mod.forwardRef() as AnyModule);
    const dynamic = 'module' in mod ? (mod as DynamicModule) : undefined;
    const cls = (dynamic ? dynamic.module : mod) as Type<unknown>;
    const imports: AnyModule[] = [...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, cls) as AnyModule[]) ?? []), ...((dynamic?.imports as AnyModule[]) ?? [])];
    const controllers: Array<Type<unknown>> = [...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, cls) as Array<Type<unknown>>) ?? []), ...(dynamic?.controllers ?? [])];
    for (const c of controllers) {
      if (seenControllers.has(c)) continue;
      seenControllers.add(c);
      routes.push(...controllerRoutes(c));
    }
    if (dynamic && dynamic.module !== mod) visit(dynamic.module);
    for (const i of imports) visit(i);
  };
  visit(root);
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** The routes of one controller class. */
export function controllerRoutes(controller: Type<unknown>): RouteInfo[] {
  const prefixes = ([] as string[]).concat((Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined) ?? '/');
  const classPerm = Reflect.getMetadata(PERMISSION_METADATA, controller) as RequiredPermission | undefined;
  const classPublic = Reflect.getMetadata(PUBLIC_METADATA, controller) === true;
  const out: RouteInfo[] = [];
  const proto = controller.prototype as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    if (name === 'constructor') continue;
    const fn = proto[name];
    if (typeof fn !== 'function') continue;
    const paths = Reflect.getMetadata(PATH_METADATA, fn) as string | string[] | undefined;
    const method = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
    if (paths === undefined || method === undefined) continue;
    for (const prefix of prefixes)
      for (const p of ([] as string[]).concat(paths)) {
        out.push({
          method: RequestMethod[method],
          path: joinPath(prefix, p),
          handler: `${controller.name}.${name}`,
          declared: (Reflect.getMetadata(PERMISSION_METADATA, fn) as RequiredPermission | undefined) ?? classPerm,
          isPublic: classPublic || Reflect.getMetadata(PUBLIC_METADATA, fn) === true,
        });
      }
  }
  return out;
}
