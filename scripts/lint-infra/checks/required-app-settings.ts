import { findFunctionAppSettings } from '../app-settings';
import { type BicepFile, lineOf } from '../bicep-file';
import { plainString } from '../bicep-syntax';
import type { Finding } from '../finding';

/**
 * Every setting the app requires in Azure (AZURE_REQUIRED_SETTINGS in
 * src/config.ts) is set, and not to an empty string, on each function app.
 */
export function checkRequiredAppSettings(
  files: BicepFile[],
  requiredSettings: readonly string[],
  mainBicep: BicepFile,
): Finding[] {
  const apps = findFunctionAppSettings(files);
  if (apps.length === 0) {
    return [
      {
        file: mainBicep.displayPath,
        line: 1,
        check: 'app-settings',
        message: 'no function app (Microsoft.Web/sites with kind functionapp) found',
      },
    ];
  }
  return apps.flatMap((app) =>
    requiredSettings.flatMap((setting): Finding[] => {
      const value = app.settings.get(setting);
      if (!value) {
        return [
          {
            file: app.file.displayPath,
            line: lineOf(app.resource),
            check: 'app-settings',
            message: `function app ${app.symbol} does not set ${setting}, which src/config.ts requires in Azure`,
          },
        ];
      }
      if (plainString(value.node) === '') {
        return [
          {
            file: value.file.displayPath,
            line: lineOf(value.node),
            check: 'app-settings',
            message: `${setting} is set to an empty string`,
          },
        ];
      }
      return [];
    }),
  );
}
