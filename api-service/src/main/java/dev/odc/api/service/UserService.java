package dev.odc.api.service;

import dev.odc.api.auth.OdcPrincipal;
import dev.odc.api.errors.ApiException;
import dev.odc.core.ErrorCode;
import dev.odc.core.User;
import dev.odc.database.UserDao;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** The users ODC knows; listing them is for admins. */
public class UserService {
  private final Jdbi jdbi;

  public UserService(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  public List<User> list(OdcPrincipal caller) {
    if (!caller.isAdmin()) {
      throw new ApiException(ErrorCode.FORBIDDEN, "only admins may list users");
    }
    return jdbi.onDemand(UserDao.class).list();
  }
}
